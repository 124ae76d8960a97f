import { type DecodeResult, decodeRecords } from "../batch.js";
import { SluiceDecodeError } from "../errors.js";
import type { DecodeOptions, DynamoDBStreamRecord, Item } from "../types.js";

/** EventBridge Pipes hands its target a JSON array of stream records, each as Lambda shapes them. */
export function isPipesBatch(input: unknown): input is DynamoDBStreamRecord[] {
  if (!Array.isArray(input)) return false;
  const first = input[0] as DynamoDBStreamRecord | undefined;
  return first === undefined || first.eventSource === "aws:dynamodb";
}

export function decodePipesBatch<T = Item>(
  records: DynamoDBStreamRecord[],
  options: DecodeOptions = {},
): DecodeResult<T> {
  if (!Array.isArray(records)) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      "Not an EventBridge Pipes batch: expected an array of DynamoDB stream records",
    );
  }
  return decodeRecords<T>(records, { ...options, source: "pipes" });
}
