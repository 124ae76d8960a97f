// The handler under test, built with the runtime's public API. With faults it is the mapping's
// handler; without, it is the fixed one `sluice replay` runs, which applies poison changes too.
import { setTimeout as sleep } from "node:timers/promises";
import type { LocalClients, LocalStackConfig } from "@sluice/local";
import type { ChangeEvent } from "@sluice/records";
import type { LogSink, ProcessContext } from "@sluice/runtime";
import { applyEffect } from "./effect.ts";
import { awsError, handlerFault } from "./faults.ts";
import { type Packages, sender } from "./packages.ts";
import type { Setting } from "./settings.ts";
import { changeId } from "./workload.ts";

/** Where a run keeps its data; the replay handler reads it from the run file. */
export interface RunResources {
  pipeline: string;
  tableName: string;
  streamArn: string;
  checkpointTable: string;
  effectsTable: string;
  queueUrl: string;
  bucket: string;
}

/** What the replay handler reads: the stack's config (which --local-config reads too) and the run. */
export type RunFile = LocalStackConfig & { run: RunResources };

export interface SoakClients {
  /** The effect's writes: never faulted. */
  effects: LocalClients["dynamodb"];
  /** The checkpoint store's own client. */
  store: LocalClients["dynamodb"];
  /** The dead-letter router's own clients. */
  sqs: LocalClients["sqs"];
  s3: LocalClients["s3"];
}

export interface HandlerFaults {
  seed: number;
  setting: Setting;
  /** The function timeout: hung calls sleep past it, slow ones would. */
  timeoutMs: number;
}

interface SoakImage {
  PK: string;
  version: number;
  poison?: boolean;
}

export function soakHandler(
  { runtime, dlq, sdk }: Packages,
  clients: SoakClients,
  run: RunResources,
  options: { faults?: HandlerFaults; log: LogSink },
) {
  const { faults } = options;
  const calls = new Map<string, number>();
  // Calls that outlive their invocation go on applying; the checker waits for them.
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const forget = () => running.delete(work);
    work.then(forget, forget);
    return work;
  };

  const apply = (change: ChangeEvent<SoakImage>) =>
    applyEffect(sdk, sender(clients.effects), run.effectsTable, {
      eventId: change.meta.eventId,
      item: String(change.keys.PK),
      sequenceNumber: change.meta.sequenceNumber,
    });

  async function handle(change: ChangeEvent<SoakImage>, ctx: ProcessContext): Promise<void> {
    if (!faults) return apply(change);
    if (change.newImage?.poison) throw new runtime.PoisonRecordError("soak: a poison change");
    const id = changeId(String(change.keys.PK), change.newImage?.version, change.oldImage?.version);
    const call = (calls.get(id) ?? 0) + 1;
    calls.set(id, call);
    const fault = handlerFault(faults.seed, faults.setting, id, call);
    if (fault === "throttle") throw awsError("ThrottlingException", 400, "soak: handler throttled");
    if (fault === "hung") {
      // Stuck past the function timeout, deaf to the signal; the effect still lands, as a stuck
      // request's can once it gets through.
      await sleep(faults.timeoutMs + 500);
    } else if (fault === "slow") {
      try {
        await sleep(faults.timeoutMs + 1_000, undefined, { signal: ctx.signal });
      } catch (error) {
        throw ctx.signal.aborted ? ctx.signal.reason : error;
      }
    }
    await apply(change);
  }

  const handler = runtime.streamHandler<SoakImage>({
    pipeline: run.pipeline,
    processor: "apply",
    ordering: "per-item",
    checkpoints: new runtime.DynamoDBCheckpointStore({
      client: clients.store,
      tableName: run.checkpointTable,
    }),
    deadLetter: dlq.sqsDeadLetterRouter({
      sqs: clients.sqs,
      queueUrl: run.queueUrl,
      claimCheck: { s3: clients.s3, bucket: run.bucket },
    }),
    handle: (change, ctx) => track(handle(change, ctx)),
    metrics: false,
    logger: { level: "error", sink: options.log },
  });

  return {
    handler: (...args: Parameters<typeof handler>) => track(handler(...args)),
    /** Resolves once no call is running, late ones included. */
    async settled(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
