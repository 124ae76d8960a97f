import { type DecodeRecordsOptions, type DecodeResult, decodeRecords } from "../batch.js";
import { SluiceDecodeError } from "../errors.js";
import { stripBom } from "../text.js";
import type { DecodeOptions, DynamoDBStreamEvent, Item } from "../types.js";

/** The shard range of a failed batch, as Lambda reports it to an on-failure destination. */
export interface DDBStreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
  batchSize: number;
  streamArn: string;
}

/**
 * What Lambda writes to an on-failure destination for a DynamoDB stream. SQS and SNS get the
 * metadata only; S3 also gets `payload`, the whole invocation event (as JSON text or an object).
 */
export interface FailureDestinationPayload {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: string;
    approximateInvokeCount: number;
  };
  responseContext?: { statusCode?: number; executedVersion?: string; functionError?: string };
  version: string;
  timestamp: string;
  DDBStreamBatchInfo: DDBStreamBatchInfo;
  payload?: string | DynamoDBStreamEvent;
}

export function isFailureDestinationPayload(input: unknown): input is FailureDestinationPayload {
  return (
    typeof input === "object" &&
    input !== null &&
    typeof (input as { DDBStreamBatchInfo?: unknown }).DDBStreamBatchInfo === "object"
  );
}

function parseEvent(payload: FailureDestinationPayload["payload"]): DynamoDBStreamEvent {
  let event: unknown = payload;
  if (typeof payload === "string") {
    try {
      event = JSON.parse(stripBom(payload));
    } catch (error) {
      throw new SluiceDecodeError(
        "UNKNOWN_SOURCE",
        "The failure-destination payload is text that is not JSON: expected the invocation event Lambda wrote to S3",
        { cause: error },
      );
    }
  }
  if (
    typeof event !== "object" ||
    event === null ||
    !Array.isArray((event as DynamoDBStreamEvent).Records)
  ) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      'The failure-destination payload holds no "Records": expected the invocation event Lambda wrote to S3',
    );
  }
  return event as DynamoDBStreamEvent;
}

/**
 * Decodes the records inside an S3 on-failure destination object. An SQS or SNS message has no
 * records, only the shard range: this throws UNKNOWN_SOURCE for it, as the records must be
 * re-read from the stream (see the replay tools in @sluice/dlq).
 */
export function decodeFailureDestinationPayload<T = Item>(
  input: FailureDestinationPayload,
  options: DecodeOptions = {},
): DecodeResult<T> {
  if (!isFailureDestinationPayload(input)) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      "Not an on-failure destination payload: expected an object with DDBStreamBatchInfo",
    );
  }
  if (input.payload === undefined) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      "This on-failure message (SQS or SNS) holds only the shard range, not the records: re-read them from the stream while it retains them, or use an S3 destination",
    );
  }
  const event = parseEvent(input.payload);
  const info = input.DDBStreamBatchInfo;
  const batchOptions: DecodeRecordsOptions = { ...options, source: "failure-destination" };
  if (typeof info.shardId === "string") batchOptions.shardId = info.shardId;
  if (typeof info.streamArn === "string") batchOptions.streamArn = info.streamArn;
  return decodeRecords<T>(event.Records, batchOptions);
}
