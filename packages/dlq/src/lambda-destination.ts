import type { DynamoDBStreamRecord, FailureDestinationPayload } from "@sluice/records";
import { unwrapDelivery } from "./delivery.js";
import { EnvelopeError } from "./errors.js";

/**
 * Reads Lambda's failure-destination message from SQS, S3, or SNS (a notification wrapping it,
 * as SQS receives it without raw message delivery).
 */
export function parseLambdaFailureRecord(text: string): FailureDestinationPayload {
  const value = parseJson(unwrapDelivery(text));
  if (!isObject(value)) invalid("it is not a JSON object");
  const info = value.DDBStreamBatchInfo;
  if (!isObject(info)) {
    invalid("it has no DDBStreamBatchInfo; it is not from a DynamoDB stream event source mapping");
  }
  for (const field of ["shardId", "startSequenceNumber", "endSequenceNumber", "streamArn"]) {
    if (typeof info[field] !== "string" || info[field] === "") {
      invalid(`DDBStreamBatchInfo.${field} is missing`);
    }
  }
  for (const field of ["startSequenceNumber", "endSequenceNumber"]) {
    if (!/^\d+$/.test(info[field] as string)) invalid(`DDBStreamBatchInfo.${field} is not digits`);
  }
  if (typeof info.batchSize !== "number") invalid("DDBStreamBatchInfo.batchSize is missing");
  if (!isObject(value.requestContext)) invalid("requestContext is missing");
  return value as unknown as FailureDestinationPayload;
}

/** The records of an S3 failure-destination object, exactly as the function received them. */
export function recordsOfPayload(failure: FailureDestinationPayload): DynamoDBStreamRecord[] {
  if (failure.payload === undefined) {
    throw new EnvelopeError(
      "MISSING_PAYLOAD",
      `Failure record ${failure.requestContext.requestId} has no payload: only S3 destinations carry the records; re-read the range from the stream instead.`,
    );
  }
  const payload =
    typeof failure.payload === "string" ? parseJson(failure.payload) : failure.payload;
  if (!isObject(payload) || !Array.isArray(payload.Records)) {
    invalid("its payload is not a DynamoDB stream event with Records");
  }
  return payload.Records as DynamoDBStreamRecord[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError(
      "NOT_JSON",
      `Failure-destination message is not JSON (starts with ${JSON.stringify(text.slice(0, 40))}).`,
      { cause },
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function invalid(reason: string): never {
  throw new EnvelopeError(
    "INVALID_ENVELOPE",
    `Not a Lambda failure-destination message: ${reason}.`,
  );
}
