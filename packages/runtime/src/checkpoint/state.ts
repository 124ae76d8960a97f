import { isFinished, type Outcome } from "../outcome.js";
import type { Slot } from "../slots.js";
import type { CheckpointState } from "./types.js";

/** Caps the finished list so the checkpoint item stays far below DynamoDB's 400 KB. */
export const maxFinishedEntries = 5_000;

export function isCovered(state: CheckpointState | undefined, seq: bigint | undefined): boolean {
  if (!state || seq === undefined) return false;
  return seq <= BigInt(state.sequenceNumber) || state.finished.includes(seq.toString());
}

/**
 * The checkpoint after a batch: the watermark moves over the finished prefix of the batch, and
 * finished records past the first unfinished one are listed, so a redelivery skips them too.
 * Returns undefined when nothing changed (no write needed).
 */
export function nextCheckpoint<T>(
  previous: CheckpointState | undefined,
  slots: Slot<T>[],
  outcomes: Outcome[],
): CheckpointState | undefined {
  let watermark = previous ? BigInt(previous.sequenceNumber) : undefined;
  let index = 0;
  for (; index < slots.length; index++) {
    const slot = slots[index]!;
    if (!isFinished(outcomes[index]) || slot.seq === undefined) break;
    if (watermark === undefined || slot.seq > watermark) watermark = slot.seq;
  }
  const above = new Set<bigint>();
  for (const seq of previous?.finished ?? []) above.add(BigInt(seq));
  for (; index < slots.length; index++) {
    const seq = slots[index]!.seq;
    if (isFinished(outcomes[index]) && seq !== undefined) above.add(seq);
  }
  if (watermark === undefined) {
    if (above.size === 0) return undefined;
    // The first record is unfinished: no watermark yet, only the records finished after it.
    watermark = 0n;
  }
  const finished = [...above]
    .filter((seq) => seq > (watermark ?? 0n))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, maxFinishedEntries)
    .map(String);
  const next = { sequenceNumber: watermark.toString(), finished };
  if (
    previous &&
    BigInt(previous.sequenceNumber) === watermark &&
    finished.every((seq) => previous.finished.includes(seq))
  ) {
    return undefined;
  }
  return next;
}
