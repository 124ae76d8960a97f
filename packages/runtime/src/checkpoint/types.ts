/** Which checkpoint: one per pipeline, processor and scope (a shard, or a resume point). */
export interface CheckpointKey {
  pipeline: string;
  processor: string;
  scope: string;
}

/**
 * Every record at or below `sequenceNumber` is finished, and so is every record listed in
 * `finished` (those above it that succeeded while an earlier record of the batch did not).
 */
export interface CheckpointState {
  sequenceNumber: string;
  finished: string[];
}

export type WriteResult = "written" | "stale";

export interface CheckpointStore {
  read(key: CheckpointKey): Promise<CheckpointState | undefined>;
  /**
   * Moves the checkpoint forward with one conditional write. Returns `stale` when the stored
   * checkpoint is already ahead (a concurrent writer won); that is not an error.
   */
  write(
    key: CheckpointKey,
    next: CheckpointState,
    previous: CheckpointState | undefined,
    options?: { expiresAt?: number },
  ): Promise<WriteResult>;
}
