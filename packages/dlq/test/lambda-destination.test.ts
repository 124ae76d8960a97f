import { describe, expect, it } from "vitest";
import { EnvelopeError, parseLambdaFailureRecord, recordsOfPayload } from "../src/index.js";
import { streamRecord } from "./fixtures.js";

// The invocation record as AWS documents it for a DynamoDB stream event source mapping.
const documented = {
  requestContext: {
    requestId: "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
    functionArn: "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
    condition: "RetryAttemptsExhausted",
    approximateInvokeCount: 1,
  },
  responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
  version: "1.0",
  timestamp: "2019-11-14T00:13:49.717Z",
  DDBStreamBatchInfo: {
    shardId: "shardId-00000001573689847184-864758bb",
    startSequenceNumber: "800000000003126276362",
    endSequenceNumber: "800000000003126276362",
    approximateArrivalOfFirstRecord: "2019-11-14T00:13:19Z",
    approximateArrivalOfLastRecord: "2019-11-14T00:13:19Z",
    batchSize: 1,
    streamArn:
      "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388",
  },
};

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof EnvelopeError) return error.code;
    throw error;
  }
  return "accepted";
}

describe("Lambda failure-destination messages", () => {
  it("reads the documented SQS message", () => {
    expect(parseLambdaFailureRecord(JSON.stringify(documented))).toEqual(documented);
  });

  it("unwraps the message from an SNS notification", () => {
    const notification = {
      Type: "Notification",
      MessageId: "m-1",
      TopicArn: "arn:aws:sns:us-east-2:123456789012:failures",
      Message: JSON.stringify(documented),
    };
    expect(parseLambdaFailureRecord(JSON.stringify(notification)).DDBStreamBatchInfo).toEqual(
      documented.DDBStreamBatchInfo,
    );
  });

  it("takes the records out of an S3 destination's payload, as text or as an object", () => {
    const records = [streamRecord(1), streamRecord(2)];
    const asText = { ...documented, payload: JSON.stringify({ Records: records }) };
    const asObject = { ...documented, payload: { Records: records } };
    expect(recordsOfPayload(parseLambdaFailureRecord(JSON.stringify(asText)))).toEqual(records);
    expect(recordsOfPayload(parseLambdaFailureRecord(JSON.stringify(asObject)))).toEqual(records);
  });

  it("says an SQS message has no records in it (MISSING_PAYLOAD)", () => {
    const failure = parseLambdaFailureRecord(JSON.stringify(documented));
    expect(codeOf(() => recordsOfPayload(failure))).toBe("MISSING_PAYLOAD");
  });

  it("rejects what is not a DynamoDB failure record", () => {
    expect(codeOf(() => parseLambdaFailureRecord("not json"))).toBe("NOT_JSON");
    expect(codeOf(() => parseLambdaFailureRecord(JSON.stringify({ hello: 1 })))).toBe(
      "INVALID_ENVELOPE",
    );
    const kinesis = { ...documented, DDBStreamBatchInfo: undefined, KinesisBatchInfo: {} };
    expect(codeOf(() => parseLambdaFailureRecord(JSON.stringify(kinesis)))).toBe(
      "INVALID_ENVELOPE",
    );
    const badSequence = {
      ...documented,
      DDBStreamBatchInfo: { ...documented.DDBStreamBatchInfo, endSequenceNumber: "12ab" },
    };
    expect(codeOf(() => parseLambdaFailureRecord(JSON.stringify(badSequence)))).toBe(
      "INVALID_ENVELOPE",
    );
  });
});
