import type { DynamoDBStreamRecord } from "@sluice/records";
import type { DeadLetter } from "@sluice/runtime";
import { streamRecord as buildRecord } from "@sluice/testing";

export function streamRecord(
  n: number,
  extra: Partial<DynamoDBStreamRecord> = {},
): DynamoDBStreamRecord {
  const keys = { PK: { S: `CUSTOMER#${n}` }, SK: { S: `ORDER#${n}` } };
  const record = buildRecord({
    index: n,
    keys,
    newImage: { ...keys, total: { N: "12.5" } },
    createdAt: 1_763_683_200 + n,
  });
  return { ...record, ...extra };
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
