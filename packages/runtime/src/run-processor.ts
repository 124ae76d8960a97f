import { keepLateRun, lateRunKey, takeLateRun } from "./late-runs.js";
import type { Logger } from "./logger.js";
import { runPerItem } from "./ordering/per-item.js";
import { runStrict } from "./ordering/strict.js";
import type { Outcome } from "./outcome.js";
import { isBatchProcessor, type Processor, type RecordProcessor } from "./processor.js";
import { runBatch } from "./run-batch.js";
import type { RunEnv } from "./run-env.js";
import { runRecord } from "./run-record.js";
import type { Slot } from "./slots.js";

export type { Ordering, RunEnv } from "./run-env.js";

/** Runs one processor over the batch. `outcomes` arrives with `skipped` filled in. */
export async function runProcessor<T>(
  processor: Processor<T>,
  slots: Slot<T>[],
  outcomes: Outcome[],
  env: RunEnv,
): Promise<void> {
  const log = env.log.child({ processor: processor.name });
  if (isBatchProcessor(processor)) {
    await runBatch(processor, slots, outcomes, env, log);
    return;
  }
  const run = {
    slots,
    outcomes,
    expired: () => env.deadline.expired,
    runSlot: (index: number) => runSlot(processor, slots[index]!, index, env, log),
  };
  if (env.ordering === "strict") await runStrict(run);
  else await runPerItem(run, env.concurrency);
}

/**
 * One record, unless a run of it that outlived an earlier invocation in this container is still
 * going or has finished: then its outcome counts, and the record does not run twice.
 */
async function runSlot<T>(
  processor: RecordProcessor<T>,
  slot: Slot<T>,
  index: number,
  env: RunEnv,
  log: Logger,
): Promise<Outcome> {
  const key = lateRunKey(env.pipeline, processor.name, slot.eventId);
  const late = takeLateRun(key);
  if (late) {
    const outcome = await env.deadline.race(late);
    if (outcome === undefined) {
      keepLateRun(key, late);
      return "not-started";
    }
    if (outcome === "applied" || outcome === "dead-lettered") return outcome;
  }
  const running = runRecord(processor, slot, env, log);
  env.inFlight?.set(index, running);
  const outcome = await running;
  env.inFlight?.delete(index);
  return outcome;
}

/** Leaves the runs still going when the invocation answers, for the next one to adopt. */
export function leaveLateRuns<T>(
  processor: string,
  slots: Slot<T>[],
  env: Pick<RunEnv, "pipeline" | "inFlight">,
): number {
  for (const [index, running] of env.inFlight ?? []) {
    keepLateRun(lateRunKey(env.pipeline, processor, slots[index]!.eventId), running);
  }
  return env.inFlight?.size ?? 0;
}
