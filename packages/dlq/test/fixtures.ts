import type { DynamoDBStreamRecord } from "@sluice/records";
import type { DeadLetter } from "@sluice/runtime";

export function streamRecord(
  n: number,
  extra: Partial<DynamoDBStreamRecord> = {},
): DynamoDBStreamRecord {
  return {
    eventID: `event-${n}`,
    eventName: "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN:
      "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-11-21T00:00:00.000",
    dynamodb: {
      ApproximateCreationDateTime: 1_763_683_200 + n,
      Keys: { PK: { S: `CUSTOMER#${n}` }, SK: { S: `ORDER#${n}` } },
      NewImage: { PK: { S: `CUSTOMER#${n}` }, SK: { S: `ORDER#${n}` }, total: { N: "12.5" } },
      SequenceNumber: String(100_000_000_000_000_000_000n + BigInt(n)),
      SizeBytes: 60,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    ...extra,
  };
}

export function deadLetter(n: number, overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    record: streamRecord(n),
    error: {
      class: "permanent",
      name: "ValidationError",
      code: "INVALID_TOTAL",
      message: `order ${n} has a negative total`,
      stack: "ValidationError: bad\n    at validate (orders.ts:1:1)",
    },
    attempts: 1,
    processor: "daily-sales",
    pipeline: "orders",
    firstFailureAt: new Date("2026-11-21T10:00:00.000Z"),
    lastFailureAt: new Date("2026-11-21T10:00:01.000Z"),
    ...overrides,
  };
}
