import { type DecodeRecordsOptions, type DecodeResult, decodeRecords } from "../batch.js";
import { SluiceDecodeError } from "../errors.js";
import type { DecodeOptions, DynamoDBStreamEvent, Item } from "../types.js";

export function isLambdaStreamEvent(input: unknown): input is DynamoDBStreamEvent {
  if (typeof input !== "object" || input === null) return false;
  const records = (input as { Records?: unknown }).Records;
  if (!Array.isArray(records)) return false;
  const first = records[0] as { eventSource?: unknown } | undefined;
  return first === undefined || first.eventSource === "aws:dynamodb";
}

/**
 * Decodes the event Lambda passes to a DynamoDB stream trigger. The shard id is known only with
 * tumbling windows, where Lambda puts it on the event.
 */
export function decodeLambdaEvent<T = Item>(
  event: DynamoDBStreamEvent,
  options: DecodeOptions = {},
): DecodeResult<T> {
  if (typeof event !== "object" || event === null || !Array.isArray(event.Records)) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      'Not a Lambda DynamoDB stream event: expected an object with a "Records" array',
    );
  }
  const batchOptions: DecodeRecordsOptions = { ...options, source: "lambda" };
  if (typeof event.shardId === "string") batchOptions.shardId = event.shardId;
  return decodeRecords<T>(event.Records, batchOptions);
}
