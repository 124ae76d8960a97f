import {
  EnvelopeError,
  envelopeId,
  type ReplayClients,
  type ReplayRecord,
  type ReplaySource,
  type SourceMessage,
} from "@sluice/dlq";
import { type AuditArchiveError, readAuditArchive } from "@sluice/processors";
import type { ChangeEvent } from "@sluice/records";

export interface AuditSourceOptions {
  s3: ReplayClients["s3"];
  bucket: string;
  prefix: string;
  table?: string;
  since: Date;
  until: Date;
  /** Records per message, and so per event the handler gets. */
  batchSize: number;
}

/** Stable across runs, so the progress file recognises what a run already replayed. */
function toReplayRecord(change: ChangeEvent<unknown>): ReplayRecord {
  return {
    id: envelopeId("audit", change.meta.tableName ?? "", change.raw),
    record: change.raw,
    meta: {},
  };
}

/** A history store: replaying a message removes nothing from it. */
const keep = async () => {};

function malformedMessage(error: AuditArchiveError, bucket: string): SourceMessage {
  return {
    ref: `s3://${bucket}/${error.key ?? ""}`,
    load: async () => {
      throw new EnvelopeError("INVALID_ENVELOPE", `${error.code}: ${error.message}`, {
        cause: error,
      });
    },
    complete: keep,
    release: keep,
  };
}

/**
 * The audit archive as a replay source: the changes created in [since, until), each once, in
 * order of time and sequence number (each item's changes in the order they were made), in
 * messages of at most `batchSize` records of one table with rising sequence numbers, as Lambda
 * events are. Unreadable lines come as malformed messages.
 */
export function auditSource(options: AuditSourceOptions): ReplaySource {
  const { bucket, prefix, batchSize } = options;
  const location = `s3://${bucket}/${prefix}`;
  return {
    describe: `audit archive ${location}`,
    async *messages(signal) {
      const malformed: AuditArchiveError[] = [];
      let batch: ReplayRecord[] = [];
      let delivered = 0;
      const message = (records: ReplayRecord[]): SourceMessage => {
        const first = delivered + 1;
        delivered += records.length;
        return {
          ref: `${location} records ${first}-${delivered}`,
          load: async () => records,
          complete: keep,
          release: keep,
        };
      };
      const changes = readAuditArchive({
        s3: options.s3,
        bucket,
        prefix,
        since: options.since,
        until: options.until,
        ...(options.table && { table: options.table }),
        onMalformed: (error) => malformed.push(error),
      });
      let last: { table: string | undefined; sequence: bigint } | undefined;
      for await (const change of changes) {
        if (signal?.aborted) return;
        for (const error of malformed.splice(0)) yield malformedMessage(error, bucket);
        // Like a Lambda event: one stream, sequence numbers rising. A handler's reported failure
        // then fails exactly the records after it (Lambda's rule), never one it already applied.
        const table = change.meta.tableName;
        const sequence = BigInt(change.meta.sequenceNumber);
        const follows = last !== undefined && last.table === table && sequence > last.sequence;
        if (batch.length >= batchSize || (batch.length > 0 && !follows)) {
          yield message(batch);
          batch = [];
        }
        batch.push(toReplayRecord(change));
        last = { table, sequence };
      }
      if (batch.length > 0) yield message(batch);
      for (const error of malformed.splice(0)) yield malformedMessage(error, bucket);
    },
  };
}
