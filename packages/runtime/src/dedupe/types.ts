/** Record-level deduplication by eventID, for processors that cannot use checkpoints. */
export interface DedupeStore {
  /** Which of these eventIDs were already marked done, in one round trip per 100 ids. */
  seen(scope: string, eventIds: string[]): Promise<Set<string>>;
  /** Marks an eventID done; false when it already was. */
  mark(scope: string, eventId: string): Promise<boolean>;
}

/**
 * Marks outlive the stream's 24-hour retention plus a replay window, so a replayed record is
 * still recognised. Default: 24 h + 7 days.
 */
export const defaultDedupeTtlSeconds = 24 * 3600 + 7 * 24 * 3600;
