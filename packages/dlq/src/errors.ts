/** Why a dead-letter message could not be read. */
export type EnvelopeErrorCode =
  | "NOT_JSON"
  | "UNKNOWN_VERSION"
  | "INVALID_ENVELOPE"
  | "MISSING_PAYLOAD";

/** A dead-letter message that is not a readable sluice envelope. Replay leaves such messages in place. */
export class EnvelopeError extends Error {
  override readonly name = "EnvelopeError";
  readonly code: EnvelopeErrorCode;

  constructor(code: EnvelopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** One entry a destination refused after every retry. */
export interface FailedEntry {
  id: string;
  code: string;
  message: string;
}

/**
 * Dead letters could not be stored. The runtime reports the records to Lambda for redelivery, so
 * nothing is lost; fix the destination (permissions, existence, size limits) named here.
 */
export class DeadLetterDeliveryError extends Error {
  override readonly name = "DeadLetterDeliveryError";
  readonly destination: string;
  readonly failed: FailedEntry[];

  constructor(destination: string, failed: FailedEntry[], options?: { cause?: unknown }) {
    const first = failed[0];
    const detail = first ? ` (first: ${first.code}: ${first.message})` : "";
    super(
      `Could not store ${failed.length} dead letter(s) in ${destination}${detail}. ` +
        "Check that the destination exists, that this role may write to it, and its size limits; " +
        "the records stay in the stream for redelivery.",
      options,
    );
    this.destination = destination;
    this.failed = failed;
  }
}

/** A shard range in the stream that can no longer be read in full. */
export interface StreamRange {
  streamArn: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/**
 * The records of a failure-destination message have left the stream (DynamoDB keeps them for 24
 * hours), or the stream or shard no longer exists. They cannot be replayed from the stream.
 */
export class RecordsExpiredError extends Error {
  override readonly name = "RecordsExpiredError";
  readonly range: StreamRange;
  /** Records of the range that were still readable. */
  readonly found: number;
  /** Records the range held, when the failure message said (its batchSize). */
  readonly expected: number | undefined;

  constructor(
    range: StreamRange,
    reason: string,
    counts: { found: number; expected?: number },
    options?: { cause?: unknown },
  ) {
    const { found, expected } = counts;
    super(
      `Records ${range.startSequenceNumber}..${range.endSequenceNumber} of shard ${range.shardId} ` +
        `in ${range.streamArn} can no longer be read (${reason}); ${found} of them were still there. ` +
        "DynamoDB Streams keeps records for 24 hours: recover these changes from the table or the " +
        "audit archive instead.",
      options,
    );
    this.range = range;
    this.found = found;
    this.expected = expected;
  }
}
