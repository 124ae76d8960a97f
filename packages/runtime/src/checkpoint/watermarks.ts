import { createHash } from "node:crypto";
import { isFinished, type Outcome } from "../outcome.js";
import type { Slot } from "../slots.js";
import type { ItemWatermark } from "./types.js";

/**
 * How long a watermark outlives the change it covers. Lambda redelivers a DynamoDB stream record
 * for at most the stream's 24-hour retention; two days leave room for clock skew and TTL's lag.
 */
export const watermarkTtlSeconds = 2 * 24 * 3600;

/**
 * The checkpoint id of a record's item. Lambda's events name no shard, so the checkpoint follows
 * the item, which every delivery can name: the stream (its ARN, so a re-created stream starts
 * afresh) and the item's key, hashed to a fixed length.
 */
export function checkpointId(
  names: { pipeline: string; processor: string },
  slot: Slot<unknown>,
): string {
  const digest = createHash("sha256")
    .update(`${slot.record.eventSourceARN ?? ""}\n${slot.itemKey}`)
    .digest("base64url")
    .slice(0, 32);
  return `${names.pipeline}|${names.processor}|${digest}`;
}

export function isCovered(watermark: ItemWatermark | undefined, seq: bigint | undefined): boolean {
  if (!watermark || seq === undefined) return false;
  return seq <= BigInt(watermark.sequenceNumber) || !!watermark.finished?.includes(seq.toString());
}

/** Keeps a watermark item far below DynamoDB's 400 KB whatever a batch processor reports. */
export const maxFinishedEntries = 1_000;

const creationSeconds = (slot: Slot<unknown>, now: number): number => {
  const created = slot.record.dynamodb?.ApproximateCreationDateTime;
  if (typeof created === "number") return created;
  return Math.floor((created instanceof Date ? created.getTime() : now) / 1000);
};

/**
 * The watermarks after a batch. Per item, the watermark moves over the finished prefix of the
 * item's changes; changes finished after an unfinished one (only a batch processor can leave
 * those) are listed. Only watermarks that change are returned.
 */
export function nextWatermarks(
  slots: Slot<unknown>[],
  outcomes: Outcome[],
  ids: string[],
  stored: ReadonlyMap<string, ItemWatermark>,
  now: number,
): ItemWatermark[] {
  const items = new Map<
    string,
    { prefix: bigint | undefined; open: boolean; above: bigint[]; createdAt: number }
  >();
  slots.forEach((slot, index) => {
    if (slot.seq === undefined) return;
    const id = ids[index]!;
    let item = items.get(id);
    if (!item) {
      item = { prefix: undefined, open: true, above: [], createdAt: 0 };
      items.set(id, item);
    }
    if (!isFinished(outcomes[index])) {
      item.open = false;
      return;
    }
    item.createdAt = Math.max(item.createdAt, creationSeconds(slot, now));
    if (item.open) item.prefix = slot.seq;
    else item.above.push(slot.seq);
  });
  const watermarks: ItemWatermark[] = [];
  for (const [id, item] of items) {
    const previous = stored.get(id);
    const before = previous ? BigInt(previous.sequenceNumber) : undefined;
    let watermark = item.prefix ?? before;
    if (before !== undefined && watermark !== undefined && before > watermark) watermark = before;
    const above = new Set([...(previous?.finished ?? []).map(BigInt), ...item.above]);
    if (watermark === undefined) {
      if (above.size === 0) continue;
      // The item's first change is unfinished: no watermark yet, only what finished after it.
      watermark = 0n;
    }
    const finished = [...above]
      .filter((seq) => seq > watermark)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, maxFinishedEntries)
      .map(String);
    const unchanged =
      before === watermark && finished.every((seq) => previous?.finished?.includes(seq));
    if (unchanged) continue;
    watermarks.push({
      id,
      sequenceNumber: watermark.toString(),
      ...(finished.length > 0 && { finished }),
      // From the changes' own time, so a resent transaction carries the same value.
      expiresAt: (item.createdAt || Math.floor(now / 1000)) + watermarkTtlSeconds,
    });
  }
  return watermarks;
}
