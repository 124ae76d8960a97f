import { DeadLetterDeliveryError, type FailedEntry } from "./errors.js";

export interface RetryOptions {
  /** Calls per entry, the first one included. Default 4. */
  attempts?: number;
  /** First backoff; it doubles per attempt, with jitter. Default 100 ms. */
  baseDelayMs?: number;
  /** Replaces the timer, for callers that schedule their own waits. */
  sleep?: (ms: number) => Promise<void>;
}

/** An entry the destination refused; `retryable` is false for faults a resend cannot fix. */
export interface RefusedEntry extends FailedEntry {
  retryable: boolean;
}

/**
 * Sends entries in batches and resends only the refused ones with backoff, until all are stored or
 * the attempts run out; then names the destination and the entries in a DeadLetterDeliveryError.
 */
export async function sendWithRetries<T extends { id: string }>(
  destination: string,
  entries: T[],
  batches: (entries: T[]) => T[][],
  send: (batch: T[]) => Promise<RefusedEntry[]>,
  options: RetryOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const given: RefusedEntry[] = [];
  let pending = entries;
  let lastCause: unknown;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const refused: RefusedEntry[] = [];
    for (const batch of batches(pending)) {
      try {
        refused.push(...(await send(batch)));
      } catch (cause) {
        lastCause = cause;
        const message = cause instanceof Error ? cause.message : String(cause);
        const code = cause instanceof Error ? cause.name : "Error";
        for (const entry of batch) refused.push({ id: entry.id, code, message, retryable: true });
      }
    }
    const retry = new Set(refused.filter((r) => r.retryable).map((r) => r.id));
    given.push(...refused.filter((r) => !r.retryable || attempt >= attempts));
    if (attempt >= attempts) break;
    pending = pending.filter((entry) => retry.has(entry.id));
    if (pending.length > 0) await sleep(backoff(baseDelayMs, attempt));
  }
  if (given.length > 0) {
    const failed = given.map(({ id, code, message }) => ({ id, code, message }));
    throw new DeadLetterDeliveryError(destination, failed, { cause: lastCause });
  }
}

function backoff(baseDelayMs: number, attempt: number): number {
  const ceiling = baseDelayMs * 2 ** (attempt - 1);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Splits entries into batches of at most `maxCount` entries and `maxBytes` total size. */
export function batchBySize<T>(
  entries: T[],
  maxCount: number,
  maxBytes: number,
  size: (entry: T) => number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const entryBytes = size(entry);
    if (current.length > 0 && (current.length >= maxCount || bytes + entryBytes > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entryBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
