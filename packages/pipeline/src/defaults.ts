import type { Ordering, StartingPosition } from "./types.js";

/**
 * What a subscriber gets when it does not say. Where Lambda's own default is unsafe for a stream
 * (retry forever, no age limit: one bad record blocks its shard for a day), sluice's differs.
 */
export const subscriberDefaults = {
  batchSize: 100,
  batchingWindowSeconds: 0,
  /** LATEST would skip the changes written while the mapping is being created. */
  startingPosition: "TRIM_HORIZON" as StartingPosition,
  ordering: "strict" as Ordering,
  /** Lambda's default, -1, retries until the record leaves the stream. */
  maximumRetryAttempts: 10,
  /**
   * Hand a stuck batch to the dead-letter queue after an hour, while the stream still holds its
   * records for 23 more: replay re-reads the range named in Lambda's failure message.
   */
  maximumRecordAgeSeconds: 3_600,
  /** Isolates a poison record in log2(batch) invocations; splits do not count as retries. */
  bisectOnError: true,
  parallelizationFactor: 1,
  tumblingWindowSeconds: 0,
  deadLetter: "queue" as const,
  timeoutSeconds: 30,
  memoryMb: 512,
} as const;
