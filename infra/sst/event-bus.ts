import type { NamedResource } from "../src/index";

/** The bus the pipeline publishes domain events to. */
export function eventBus(name: string): { bus: sst.aws.Bus; resource: NamedResource } {
  const bus = new sst.aws.Bus(name);
  return { bus, resource: { arn: bus.arn, name: bus.name } };
}

/**
 * A downstream reaction: events of these detail types land in an encrypted queue of their own,
 * where another team's consumer picks them up at its pace.
 */
export function forwardToQueue(bus: sst.aws.Bus, name: string, detailTypes: string[]) {
  const queue = new sst.aws.Queue(name, { transform: { queue: { sqsManagedSseEnabled: true } } });
  bus.subscribeQueue(name, queue, { pattern: { detailType: detailTypes } });
  return queue;
}
