import { type DecodeRecordsOptions, type DecodeResult, decodeRecords } from "../batch.js";
import { SluiceDecodeError } from "../errors.js";
import type { DecodeOptions, DynamoDBStreamRecord, Item } from "../types.js";

/** The output of DynamoDB Streams `GetRecords` (SDK v3 `GetRecordsCommandOutput`). */
export interface GetRecordsOutput {
  Records?: DynamoDBStreamRecord[];
  NextShardIterator?: string | null;
}

export interface GetRecordsDecodeOptions extends DecodeOptions {
  /** GetRecords records carry no ARN: pass the stream's so the table name and region are known. */
  streamArn?: string;
  /** The shard the records were read from. */
  shardId?: string;
}

export function isGetRecordsOutput(input: unknown): input is GetRecordsOutput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return false;
  const records = (input as GetRecordsOutput).Records;
  if (!Array.isArray(records)) return false;
  if ("NextShardIterator" in input) return true;
  // GetRecords records have no eventSourceARN, and the SDK gives their creation time as a Date.
  const first = records[0] as DynamoDBStreamRecord | undefined;
  return (
    first !== undefined &&
    first.eventSourceARN === undefined &&
    (first.eventSource === "aws:dynamodb" ||
      first.dynamodb?.ApproximateCreationDateTime instanceof Date)
  );
}

/** Decodes what `GetRecords` returned; binary may be bytes and times Dates, as the SDK gives them. */
export function decodeGetRecordsOutput<T = Item>(
  output: GetRecordsOutput,
  options: GetRecordsDecodeOptions = {},
): DecodeResult<T> {
  if (typeof output !== "object" || output === null || !Array.isArray(output.Records ?? [])) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      'Not a GetRecords output: expected an object with a "Records" array',
    );
  }
  const batchOptions: DecodeRecordsOptions = { ...options, source: "get-records" };
  return decodeRecords<T>(output.Records ?? [], batchOptions);
}
