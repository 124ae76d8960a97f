import { runPerItem } from "./ordering/per-item.js";
import { runStrict } from "./ordering/strict.js";
import type { Outcome } from "./outcome.js";
import { isBatchProcessor, type Processor } from "./processor.js";
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
    runSlot: (index: number) => runRecord(processor, slots[index]!, env, log),
  };
  if (env.ordering === "strict") await runStrict(run);
  else await runPerItem(run, env.concurrency);
}
