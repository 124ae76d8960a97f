import type {
  CheckpointStore,
  DeadLetterHook,
  Processor,
  StreamHandlerConfig,
} from "@sluice/runtime";
import { shop } from "./pipeline.js";

export type SubscriberName = keyof typeof shop.subscribers;

/** Where checkpoints and dead letters go: the deployed table and queue, or local ones. */
export interface Stores {
  checkpoints: () => CheckpointStore;
  deadLetters: () => DeadLetterHook;
}

/**
 * A subscriber's handler configuration as the pipeline defines it: its ordering, checkpoints
 * when it needs them, the dead-letter router when it dead-letters to the queue. Stores are made
 * only when used, so a handler asks for no variable it does not need.
 */
export function subscriberConfig<T>(
  name: SubscriberName,
  processors: Processor<T>[],
  stores: Stores,
): StreamHandlerConfig<T> {
  const subscriber = shop.subscribers[name];
  return {
    pipeline: shop.name,
    ordering: subscriber.ordering,
    processors,
    ...(subscriber.needs.includes("checkpoints") && { checkpoints: stores.checkpoints() }),
    ...(subscriber.deadLetter === "queue" && { deadLetter: stores.deadLetters() }),
  };
}
