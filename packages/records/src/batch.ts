import { type DecodeFailure, SluiceDecodeError } from "./errors.js";
import { decodeRecord, type RecordContext } from "./record.js";
import type {
  ChangeEvent,
  DecodeOptions,
  DynamoDBStreamRecord,
  Item,
  SourceKind,
} from "./types.js";

/** The good events of a batch and, beside them, the records that failed. */
export interface DecodeResult<T = Item> {
  events: ChangeEvent<T>[];
  failures: DecodeFailure[];
}

export interface DecodeRecordsOptions extends DecodeOptions {
  /** Defaults to "lambda". */
  source?: SourceKind;
  shardId?: string;
  /** For records without `eventSourceARN`. */
  streamArn?: string;
}

/** Wraps anything thrown while decoding a record so a failure always has a code. */
export function toDecodeError(
  error: unknown,
  record: unknown,
  position: number,
): SluiceDecodeError {
  if (error instanceof SluiceDecodeError) return error;
  return new SluiceDecodeError(
    "NOT_A_STREAM_RECORD",
    `Record ${position} could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    { position, record, cause: error },
  );
}

/**
 * Decodes every record it can. A bad record becomes a failure with its position and error; the
 * records after it still decode.
 */
export function decodeRecords<T = Item>(
  records: readonly DynamoDBStreamRecord[],
  options: DecodeRecordsOptions = {},
): DecodeResult<T> {
  const events: ChangeEvent<T>[] = [];
  const failures: DecodeFailure[] = [];
  const ctx: RecordContext = { source: options.source ?? "lambda", position: 0, options };
  if (options.shardId !== undefined) ctx.shardId = options.shardId;
  if (options.streamArn !== undefined) ctx.streamArn = options.streamArn;
  for (let position = 0; position < records.length; position++) {
    const record = records[position] as DynamoDBStreamRecord;
    ctx.position = position;
    try {
      events.push(decodeRecord<T>(record, ctx));
    } catch (error) {
      failures.push({ error: toDecodeError(error, record, position), record, position });
    }
  }
  return { events, failures };
}
