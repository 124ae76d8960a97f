import type { DeadLetter, DeadLetterHook } from "./dead-letter.js";
import { deadLetterOf } from "./dead-letters.js";
import type { Deadline } from "./deadline.js";
import type { ErrorClass } from "./errors.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import { runPerItem } from "./ordering/per-item.js";
import { runStrict } from "./ordering/strict.js";
import type { Outcome } from "./outcome.js";
import {
  type BatchProcessor,
  isBatchProcessor,
  type LambdaContext,
  type ProcessContext,
  type Processor,
  type RecordProcessor,
} from "./processor.js";
import type { RetryPolicy } from "./retry.js";
import type { Slot } from "./slots.js";

export type Ordering = "strict" | "per-item";

export interface RunEnv {
  pipeline: string;
  ordering: Ordering;
  concurrency: number;
  classify: (error: unknown) => ErrorClass;
  retry: RetryPolicy;
  deadline: Deadline;
  deadLetter: DeadLetterHook | undefined;
  log: Logger;
  lambda: LambdaContext | undefined;
  /** Called after each applied record (dedupe marks). */
  onApplied?: (slot: Slot<unknown>) => Promise<void>;
  /** Effect and checkpoint in one transaction, for batch processors. */
  commit?: ProcessContext["commit"];
}

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

function context(env: RunEnv, processor: string, attempt: number, log: Logger): ProcessContext {
  return {
    pipeline: env.pipeline,
    processor,
    attempt,
    signal: env.deadline.signal,
    log,
    ...(env.lambda ? { lambda: env.lambda } : {}),
  };
}

const recordFields = (slot: Slot<unknown>) => ({
  eventId: slot.eventId,
  sequenceNumber: slot.sequenceNumber,
});

/** Hands letters to the hook; a missing or failing hook leaves the records failed, not dropped. */
async function deadLetter(
  letters: DeadLetter[],
  env: RunEnv,
  log: Logger,
): Promise<"dead-lettered" | "failed"> {
  if (!env.deadLetter) {
    log.error(
      "Permanent failure and no deadLetter hook: the record is reported for redelivery. " +
        "Configure deadLetter (or Lambda's retry limit and on-failure destination).",
      { eventIds: letters.map((l) => l.record.eventID) },
    );
    return "failed";
  }
  try {
    await env.deadLetter(letters);
    for (const letter of letters) {
      log.warn("record dead-lettered", {
        eventId: letter.record.eventID,
        sequenceNumber: letter.record.dynamodb?.SequenceNumber,
        error: letter.error,
      });
    }
    return "dead-lettered";
  } catch (error) {
    log.error("the dead-letter hook failed: the record is reported for redelivery", {
      eventIds: letters.map((l) => l.record.eventID),
      error: describeError(error),
    });
    return "failed";
  }
}

async function runRecord<T>(
  processor: RecordProcessor<T>,
  slot: Slot<T>,
  env: RunEnv,
  log: Logger,
): Promise<Outcome> {
  const names = { pipeline: env.pipeline, processor: processor.name };
  if (slot.decodeError || !slot.event) {
    const error = slot.decodeError ?? new Error("The record was neither decoded nor rejected.");
    return deadLetter([deadLetterOf(slot, error, "permanent", 1, names, new Date())], env, log);
  }
  let firstFailureAt: Date | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await processor.handle(slot.event, context(env, processor.name, attempt, log));
    } catch (error) {
      firstFailureAt ??= new Date();
      const errorClass = env.classify(error);
      log.warn("record failed", {
        ...recordFields(slot as Slot<unknown>),
        attempt,
        errorClass,
        error: describeError(error),
      });
      if (errorClass === "permanent") {
        const letter = deadLetterOf(slot, error, errorClass, attempt, names, firstFailureAt);
        return deadLetter([letter], env, log);
      }
      if (attempt >= env.retry.maxAttempts) return "failed";
      const delay = env.retry.delay(attempt);
      if (!env.deadline.allows(delay)) return "failed";
      await env.retry.sleep(delay);
      continue;
    }
    await markApplied(slot, env, log);
    return "applied";
  }
}

/** A lost dedupe mark only costs a repeat on redelivery; it must not re-run the record now. */
async function markApplied<T>(slot: Slot<T>, env: RunEnv, log: Logger): Promise<void> {
  try {
    await env.onApplied?.(slot as Slot<unknown>);
  } catch (error) {
    log.warn("could not mark the record applied; a redelivery may apply it again", {
      ...recordFields(slot as Slot<unknown>),
      error: describeError(error),
    });
  }
}

async function runBatch<T>(
  processor: BatchProcessor<T>,
  slots: Slot<T>[],
  outcomes: Outcome[],
  env: RunEnv,
  log: Logger,
): Promise<void> {
  const names = { pipeline: env.pipeline, processor: processor.name };
  const now = new Date();
  const undecoded = slots
    .map((slot, index) => ({ slot, index }))
    .filter(({ slot, index }) => outcomes[index] !== "skipped" && !slot.event);
  if (undecoded.length > 0) {
    const letters = undecoded.map(({ slot }) =>
      deadLetterOf(slot, slot.decodeError, "permanent", 1, names, now),
    );
    const outcome = await deadLetter(letters, env, log);
    for (const { index } of undecoded) outcomes[index] = outcome;
  }
  let pending = slots
    .map((_, index) => index)
    .filter((index) => outcomes[index] !== "skipped" && slots[index]!.event);
  const firstFailure = new Map<number, Date>();
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (env.deadline.expired) {
      for (const index of pending) outcomes[index] = attempt === 1 ? "not-started" : "failed";
      return;
    }
    const events = pending.map((index) => slots[index]!.event!);
    let results: { ok: boolean; error?: unknown }[];
    try {
      const ctx = context(env, processor.name, attempt, log);
      if (env.commit) ctx.commit = env.commit;
      results = await processor.process(events, ctx);
      if (results.length !== events.length) {
        throw new Error(
          `Processor "${processor.name}" returned ${results.length} results for ${events.length} events; return one result per event, in order.`,
        );
      }
    } catch (error) {
      results = events.map(() => ({ ok: false, error }));
    }
    const retry: number[] = [];
    const letters: { index: number; letter: DeadLetter }[] = [];
    for (const [i, result] of results.entries()) {
      const index = pending[i]!;
      const slot = slots[index]!;
      if (result.ok) {
        outcomes[index] = "applied";
        await markApplied(slot, env, log);
        continue;
      }
      const at = firstFailure.get(index) ?? new Date();
      firstFailure.set(index, at);
      const errorClass = env.classify(result.error);
      log.warn("record failed", {
        ...recordFields(slot as Slot<unknown>),
        attempt,
        errorClass,
        error: describeError(result.error),
      });
      if (errorClass === "permanent") {
        letters.push({
          index,
          letter: deadLetterOf(slot, result.error, errorClass, attempt, names, at),
        });
      } else {
        retry.push(index);
      }
    }
    if (letters.length > 0) {
      const outcome = await deadLetter(
        letters.map((l) => l.letter),
        env,
        log,
      );
      for (const { index } of letters) outcomes[index] = outcome;
    }
    pending = retry;
    if (pending.length === 0) return;
    const delay = env.retry.delay(attempt);
    if (attempt >= env.retry.maxAttempts || !env.deadline.allows(delay)) {
      for (const index of pending) outcomes[index] = "failed";
      return;
    }
    await env.retry.sleep(delay);
  }
}
