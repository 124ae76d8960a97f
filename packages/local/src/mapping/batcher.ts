import type { StreamItem } from "./lambda-event.js";
import { PAYLOAD_LIMIT_BYTES } from "./settings.js";

export interface BatchRules {
  batchSize: number;
  batchingWindowMs: number;
  /** Records of different tumbling windows never share a batch; null when windows are off. */
  windowOf: ((item: StreamItem) => number) | null;
  payloadLimitBytes?: number;
}

/** Bytes of `{"Records":[...]}` around the records. */
const ENVELOPE_BYTES = 16;

/** How many records from the head of the queue make the next batch, and whether it is complete. */
export function nextBatch(
  queue: readonly StreamItem[],
  rules: BatchRules,
): { count: number; full: boolean } {
  const limit = rules.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES;
  const head = queue[0];
  if (!head) return { count: 0, full: false };
  const window = rules.windowOf?.(head);
  let bytes = ENVELOPE_BYTES;
  let count = 0;
  for (const item of queue) {
    if (count === rules.batchSize) return { count, full: true };
    if (window !== undefined && rules.windowOf?.(item) !== window) return { count, full: true };
    // A record that alone exceeds the limit still goes out alone, as Lambda cannot split it.
    if (count > 0 && bytes + item.payloadBytes + 1 > limit) return { count, full: true };
    bytes += item.payloadBytes + 1;
    count += 1;
  }
  return { count, full: count === rules.batchSize };
}

/**
 * Lambda invokes once it has a full batch, the batching window has passed since the first
 * waiting record arrived, or the payload limit is reached.
 */
export function isBatchReady(
  queue: readonly StreamItem[],
  rules: BatchRules,
  firstQueuedAtMs: number,
  nowMs: number,
): boolean {
  const { count, full } = nextBatch(queue, rules);
  if (count === 0) return false;
  return full || nowMs - firstQueuedAtMs >= rules.batchingWindowMs;
}
