/**
 * An item's watermark: every change of the item at or below `sequenceNumber` is finished (applied
 * or dead-lettered) by one processor, and so is every change listed in `finished` (later ones a
 * batch processor finished while an earlier change of the item did not; usually none).
 */
export interface ItemWatermark {
  /** Names the checkpoint: pipeline, processor and a digest of the stream and the item's key. */
  id: string;
  sequenceNumber: string;
  finished?: string[];
  /** When DynamoDB's TTL may delete it (epoch seconds); derived from the change, not the clock. */
  expiresAt?: number;
}

export interface CheckpointStore {
  /**
   * The stored watermarks of these checkpoints, by id (absent when none), read strongly
   * consistent: the previous delivery may have run in another container a moment ago.
   */
  read(ids: string[]): Promise<Map<string, ItemWatermark>>;
  /**
   * Moves each watermark up to the given sequence number, never down. A watermark that is
   * already above it stays as it is; that is not an error.
   */
  write(watermarks: ItemWatermark[]): Promise<void>;
}
