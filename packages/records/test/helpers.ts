import type { DynamoDBStreamRecord } from "../src/index.js";

export const STREAM_ARN =
  "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-11-20T00:00:00.000";

let counter = 0;

/** A valid Lambda stream record; `change` replaces parts of its `dynamodb` member. */
export function streamRecord(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  change: DynamoDBStreamRecord["dynamodb"] = {},
  extra: Partial<DynamoDBStreamRecord> = {},
): DynamoDBStreamRecord {
  counter++;
  const keys = { PK: { S: "CUSTOMER#c-1" }, SK: { S: `ORDER#o-${counter}` } };
  const image = { ...keys, status: { S: "paid" }, total: { N: "10.5" } };
  return {
    eventID: `event-${counter}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: 1795183391,
      Keys: keys,
      ...(eventName === "REMOVE" ? {} : { NewImage: image }),
      ...(eventName === "INSERT" ? {} : { OldImage: { ...image, status: { S: "pending" } } }),
      SequenceNumber: String(100000000000000000000n + BigInt(counter)),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      ...change,
    },
    ...extra,
  };
}
