import type { StreamItem } from "./lambda-event.js";
import type { FailureCondition, InvocationOutcome } from "./types.js";

/** Records on their way through the function, with what they went through so far. */
export interface Attempt {
  items: StreamItem[];
  /** Retries consumed; bisecting does not consume any. */
  retries: number;
  /** Invocations that carried these records, reported as approximateInvokeCount. */
  invocations: number;
}

export interface RetryPolicy {
  bisect: boolean;
  /** -1: until the record expires. */
  maximumRetryAttempts: number;
}

export interface Discard {
  items: StreamItem[];
  condition: FailureCondition;
  invocations: number;
}

/** What follows an invocation: records done, attempts to run next (in order), records given up. */
export interface Step {
  succeeded: StreamItem[];
  next: Attempt[];
  discarded?: Discard;
  kind: "done" | "retry" | "bisect" | "exhausted";
}

export function firstAttempt(items: StreamItem[]): Attempt {
  return { items, retries: 0, invocations: 0 };
}

function retryOrGiveUp(attempt: Attempt, succeeded: StreamItem[], policy: RetryPolicy): Step {
  const retries = attempt.retries + 1;
  if (policy.maximumRetryAttempts !== -1 && retries > policy.maximumRetryAttempts) {
    return {
      succeeded,
      next: [],
      discarded: {
        items: attempt.items,
        condition: "RetryAttemptsExhausted",
        invocations: attempt.invocations,
      },
      kind: "exhausted",
    };
  }
  return { succeeded, next: [{ ...attempt, retries }], kind: "retry" };
}

/**
 * Lambda's handling of one invocation's outcome. `attempt.invocations` already counts it.
 * - success: the batch is checkpointed.
 * - partial at index i > 0: records before i are checkpointed; the rest is retried. With
 *   BisectBatchOnFunctionError, Lambda bisects at the reported record, and a split does not
 *   consume a retry.
 * - failure (or partial at the first record): with bisect and more than one record, the batch
 *   splits in two halves, tried in order, each keeping the retries used so far; otherwise it is
 *   retried until MaximumRetryAttempts is exhausted.
 */
export function afterInvocation(
  attempt: Attempt,
  outcome: InvocationOutcome,
  policy: RetryPolicy,
): Step {
  if (outcome.kind === "success") return { succeeded: attempt.items, next: [], kind: "done" };
  if (outcome.kind === "partial" && outcome.index > 0) {
    const succeeded = attempt.items.slice(0, outcome.index);
    const rest: Attempt = { ...attempt, items: attempt.items.slice(outcome.index) };
    if (policy.bisect) return { succeeded, next: [rest], kind: "bisect" };
    return retryOrGiveUp(rest, succeeded, policy);
  }
  if (policy.bisect && attempt.items.length > 1) {
    const middle = Math.ceil(attempt.items.length / 2);
    return {
      succeeded: [],
      next: [
        { ...attempt, items: attempt.items.slice(0, middle) },
        { ...attempt, items: attempt.items.slice(middle) },
      ],
      kind: "bisect",
    };
  }
  return retryOrGiveUp(attempt, [], policy);
}

/**
 * Records older than MaximumRecordAgeInSeconds (or than the stream keeps them) are discarded
 * before Lambda invokes the function, on the first try as on any retry.
 */
export function splitExpired(
  attempt: Attempt,
  nowMs: number,
  maximumRecordAgeMs: number,
): { expired?: Discard; rest: Attempt | null } {
  const expired = attempt.items.filter((item) => nowMs - item.createdAtMs > maximumRecordAgeMs);
  if (expired.length === 0) return { rest: attempt };
  const fresh = attempt.items.filter((item) => nowMs - item.createdAtMs <= maximumRecordAgeMs);
  return {
    expired: {
      items: expired,
      condition: "MaximumRecordAgeExceeded",
      invocations: attempt.invocations,
    },
    rest: fresh.length > 0 ? { ...attempt, items: fresh } : null,
  };
}
