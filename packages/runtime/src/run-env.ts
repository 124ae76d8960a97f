/** What every attempt in a processor run needs. */
import type { DeadLetterHook } from "./dead-letter.js";
import type { Deadline } from "./deadline.js";
import { describeError, type ErrorClass } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Outcome } from "./outcome.js";
import type { LambdaContext, ProcessContext } from "./processor.js";
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
  /**
   * For a processor that reads checkpoints on conflict: after a refused commit, reads them and
   * marks the covered records skipped. Undefined once read.
   */
  readOnConflict?: () => Promise<void>;
  /** Record runs in progress by slot index, so an invocation that answers early can leave them. */
  inFlight?: Map<number, Promise<Outcome>>;
}

export function context(
  env: RunEnv,
  processor: string,
  attempt: number,
  log: Logger,
): ProcessContext {
  return {
    pipeline: env.pipeline,
    processor,
    attempt,
    signal: env.deadline.signal,
    log,
    ...(env.lambda ? { lambda: env.lambda } : {}),
  };
}

export const recordFields = (slot: Slot<unknown>) => ({
  eventId: slot.eventId,
  sequenceNumber: slot.sequenceNumber,
});

/** A lost dedupe mark only costs a repeat on redelivery; it must not re-run the record now. */
export async function markApplied<T>(slot: Slot<T>, env: RunEnv, log: Logger): Promise<void> {
  try {
    await env.onApplied?.(slot as Slot<unknown>);
  } catch (error) {
    log.warn("could not mark the record applied; a redelivery may apply it again", {
      ...recordFields(slot as Slot<unknown>),
      error: describeError(error),
    });
  }
}
