import type { DynamoDBStreamRecord } from "@sluice/records";
import type { Envelope } from "../envelope.js";

/** One record to replay. */
export interface ReplayRecord {
  /** Stable across runs: the key of progress and idempotency. */
  id: string;
  record: DynamoDBStreamRecord;
  /** What filters match on. */
  meta: { processor?: string; errorCode?: string; failedAt?: Date };
  /** The sluice envelope, when the source holds them. */
  envelope?: Envelope;
}

/** One message (or object) of a source; it holds one or more records. */
export interface SourceMessage {
  /** Where it is, for reports: `sqs:<message id>`, `s3://bucket/key`. */
  ref: string;
  /**
   * The ids of its records when the message names them without loading (a claim-check pointer
   * does): a message whose records were all replayed is then removed without reading its
   * payload, which the first copy's replay may have deleted.
   */
  ids?: string[];
  /** Reads the records: EnvelopeError when malformed, RecordsExpiredError when they are gone. */
  load(): Promise<ReplayRecord[]>;
  /** Removes the message; the engine calls it only once every record in it has been replayed. */
  complete(): Promise<void>;
  /** Leaves the message where it is, for a later replay. */
  release(): Promise<void>;
}

/**
 * Where replay reads from: a sluice DLQ, Lambda's failure destination, or the audit archive (its
 * source lives in the CLI, which may import the processors). Any source that yields messages of
 * records plugs in.
 */
export interface ReplaySource {
  describe: string;
  messages(signal?: AbortSignal): AsyncIterable<SourceMessage>;
  /** About how many messages it holds, for a progress bar; undefined when it cannot tell. */
  estimate?(): Promise<number | undefined>;
  /** Called once when the run ends, aborted or not. */
  close?(): Promise<void>;
}

/** Where replayed records go. Records of one call come from one source message, in order. */
export interface ReplayTarget {
  describe: string;
  /** Returns the records that failed again, with why; the rest succeeded. */
  deliver(records: ReplayRecord[]): Promise<Map<string, string>>;
}
