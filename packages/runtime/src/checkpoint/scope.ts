import type { Slot } from "../slots.js";

/**
 * Where a batch's checkpoint lives. Lambda names the shard only with tumbling windows (and
 * sluice's sources name it for GetRecords and replays). With a shard, one checkpoint per shard
 * holds a watermark. Without one, the checkpoint is a resume point keyed by the eventID of the
 * record that the next delivery starts with: Lambda redelivers from the lowest reported record,
 * or the whole batch again if the response is lost. EventIDs are unique in a stream.
 */
export interface CheckpointScope {
  /** Read before processing. */
  read: string;
  /** Where to write, given the index of the first unfinished slot (or -1 if none). */
  write(firstUnfinished: number): string;
  /** Resume points expire; shard checkpoints do not. */
  expires: boolean;
}

export function checkpointScope<T>(
  shardId: string | undefined,
  slots: Slot<T>[],
): CheckpointScope | undefined {
  if (shardId) {
    const scope = `shard#${shardId}`;
    return { read: scope, write: () => scope, expires: false };
  }
  const first = slots[0];
  if (!first) return undefined;
  return {
    read: `resume#${first.eventId}`,
    write: (index) => `resume#${(slots[index] ?? first).eventId}`,
    expires: true,
  };
}
