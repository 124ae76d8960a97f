import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import { describe, expect, it } from "vitest";
import { isBatchReady, nextBatch } from "../src/mapping/batcher.js";
import { buildFailureRecord, s3FailureKey } from "../src/mapping/destination.js";
import { type StreamItem, toLambdaRecord, toStreamItem } from "../src/mapping/lambda-event.js";
import { interpretResponse } from "../src/mapping/response.js";
import { afterInvocation, firstAttempt, splitExpired } from "../src/mapping/retry.js";
import { resolveSettings } from "../src/mapping/settings.js";

const ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-11-21T00:00:00.000";
const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

function sdkRecord(sequence: number, createdMs = T0, pk = `P#${sequence}`): _Record {
  return {
    eventID: `e${sequence}`,
    eventName: "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: new Date(createdMs),
      Keys: { PK: { S: pk } },
      NewImage: { PK: { S: pk } },
      SequenceNumber: String(100000000000000000000n + BigInt(sequence)),
      SizeBytes: 10,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

function items(count: number, createdMs = T0): StreamItem[] {
  return Array.from({ length: count }, (_, i) => toStreamItem(sdkRecord(i + 1, createdMs), ARN));
}

describe("Lambda event records", () => {
  it("carries binaries as base64, creation time in epoch seconds, and the stream ARN", () => {
    const record = sdkRecord(1, T0 + 700);
    record.dynamodb!.NewImage = {
      PK: { S: "P#1" },
      bin: { B: new Uint8Array([1, 2, 255]) },
      set: { BS: [new Uint8Array([0])] },
      nested: { M: { list: { L: [{ B: new Uint8Array([104, 105]) }, { N: "1.50" }] } } },
    };
    const lambda = toLambdaRecord(record, ARN);
    expect(lambda.dynamodb?.ApproximateCreationDateTime).toBe(T0 / 1000);
    expect(lambda.dynamodb?.NewImage).toEqual({
      PK: { S: "P#1" },
      bin: { B: "AQL/" },
      set: { BS: ["AA=="] },
      nested: { M: { list: { L: [{ B: "aGk=" }, { N: "1.50" }] } } },
    });
    expect(lambda.eventSourceARN).toBe(ARN);
    expect(Object.keys(lambda)).toEqual([
      "eventID",
      "eventName",
      "eventVersion",
      "eventSource",
      "awsRegion",
      "dynamodb",
      "eventSourceARN",
    ]);
  });

  it("maps the SDK's userIdentity to the event's lower-case fields", () => {
    const record = sdkRecord(1);
    record.userIdentity = { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" };
    expect(toLambdaRecord(record, ARN).userIdentity).toEqual({
      type: "Service",
      principalId: "dynamodb.amazonaws.com",
    });
  });
});

describe("batching", () => {
  const rules = { batchSize: 3, batchingWindowMs: 1000, windowOf: null };

  it("takes at most BatchSize records and waits for the batching window before a partial batch", () => {
    const queue = items(5);
    expect(nextBatch(queue, rules)).toEqual({ count: 3, full: true });
    expect(isBatchReady(queue.slice(0, 2), rules, 0, 999)).toBe(false);
    expect(isBatchReady(queue.slice(0, 2), rules, 0, 1000)).toBe(true);
    expect(isBatchReady(queue, rules, 0, 0)).toBe(true);
  });

  it("keeps a batch under the payload limit and never mixes tumbling windows", () => {
    const queue = items(4);
    const bytes = queue[0]!.payloadBytes;
    expect(nextBatch(queue, { ...rules, payloadLimitBytes: 16 + 2 * (bytes + 1) }).count).toBe(2);
    const windowed = [...items(2, T0), ...items(2, T0 + 60_000)];
    const windowOf = (item: StreamItem) => Math.floor(item.createdAtMs / 60_000);
    expect(nextBatch(windowed, { ...rules, windowOf })).toEqual({ count: 2, full: true });
  });
});

describe("partial batch responses", () => {
  const batch = items(3);
  const rules = { reportBatchItemFailures: true, requireState: false };
  const id = (i: number) => batch[i]!.sequenceNumber;

  it("treats an empty or null list and an empty or null response as success", () => {
    for (const response of [
      undefined,
      null,
      {},
      { batchItemFailures: [] },
      { batchItemFailures: null },
    ]) {
      expect(interpretResponse(response, batch, rules)).toEqual({ kind: "success" });
    }
  });

  it("resumes from the lowest reported sequence number, compared as integers", () => {
    const response = { batchItemFailures: [{ itemIdentifier: id(2) }, { itemIdentifier: id(1) }] };
    expect(interpretResponse(response, batch, rules)).toEqual({
      kind: "partial",
      index: 1,
      sequenceNumber: id(1),
    });
  });

  it("compares sequence numbers of different lengths as integers, not as text", () => {
    const short = toStreamItem(
      { ...sdkRecord(1), dynamodb: { ...sdkRecord(1).dynamodb, SequenceNumber: "9" } },
      ARN,
    );
    const long = toStreamItem(
      { ...sdkRecord(2), dynamodb: { ...sdkRecord(2).dynamodb, SequenceNumber: "10" } },
      ARN,
    );
    const response = { batchItemFailures: [{ itemIdentifier: "10" }, { itemIdentifier: "9" }] };
    expect(interpretResponse(response, [short, long], rules)).toMatchObject({
      index: 0,
      sequenceNumber: "9",
    });
  });

  it("fails the whole batch for an empty, null, misnamed or unknown identifier", () => {
    for (const entry of [
      { itemIdentifier: "" },
      { itemIdentifier: null },
      { sequenceNumber: id(1) },
      { itemIdentifier: "999" },
    ]) {
      expect(interpretResponse({ batchItemFailures: [entry] }, batch, rules).kind).toBe("failure");
    }
    expect(interpretResponse({ batchItemFailures: "x" }, batch, rules).kind).toBe("failure");
    expect(interpretResponse("ok", batch, rules).kind).toBe("failure");
  });

  it("ignores batchItemFailures unless ReportBatchItemFailures is on", () => {
    const response = { batchItemFailures: [{ itemIdentifier: id(0) }] };
    expect(
      interpretResponse(response, batch, { ...rules, reportBatchItemFailures: false }),
    ).toEqual({
      kind: "success",
    });
  });

  it("requires state from a tumbling-window function", () => {
    const windowRules = { reportBatchItemFailures: false, requireState: true };
    expect(interpretResponse({}, batch, windowRules).kind).toBe("failure");
    expect(interpretResponse({ state: {} }, batch, windowRules).kind).toBe("success");
  });
});

describe("retry and bisect", () => {
  const failure = { kind: "failure", reason: "boom" } as const;

  it("retries a failed batch until MaximumRetryAttempts, then gives it up", () => {
    const policy = { bisect: false, maximumRetryAttempts: 1 };
    const first = { ...firstAttempt(items(2)), invocations: 1 };
    const retry = afterInvocation(first, failure, policy);
    expect(retry.kind).toBe("retry");
    expect(retry.next[0]!.retries).toBe(1);
    const exhausted = afterInvocation({ ...retry.next[0]!, invocations: 2 }, failure, policy);
    expect(exhausted.kind).toBe("exhausted");
    expect(exhausted.discarded).toMatchObject({
      condition: "RetryAttemptsExhausted",
      invocations: 2,
    });
  });

  it("never gives up with MaximumRetryAttempts -1", () => {
    const attempt = { ...firstAttempt(items(1)), retries: 10_000, invocations: 10_001 };
    expect(
      afterInvocation(attempt, failure, { bisect: false, maximumRetryAttempts: -1 }).kind,
    ).toBe("retry");
  });

  it("bisects without consuming retries, and retries a single record", () => {
    const policy = { bisect: true, maximumRetryAttempts: 0 };
    const split = afterInvocation({ ...firstAttempt(items(5)), invocations: 1 }, failure, policy);
    expect(split.kind).toBe("bisect");
    expect(split.next.map((next) => [next.items.length, next.retries])).toEqual([
      [3, 0],
      [2, 0],
    ]);
    const single = afterInvocation({ ...firstAttempt(items(1)), invocations: 3 }, failure, policy);
    expect(single.discarded?.items).toHaveLength(1);
  });

  it("checkpoints before a reported failure and bisects at it when both settings are on", () => {
    const batch = items(4);
    const partial = {
      kind: "partial",
      index: 2,
      sequenceNumber: batch[2]!.sequenceNumber,
    } as const;
    const attempt = { ...firstAttempt(batch), invocations: 1 };
    const bisected = afterInvocation(attempt, partial, { bisect: true, maximumRetryAttempts: 0 });
    expect(bisected.succeeded).toEqual(batch.slice(0, 2));
    expect(bisected.next[0]).toMatchObject({ items: batch.slice(2), retries: 0 });
    const retried = afterInvocation(attempt, partial, { bisect: false, maximumRetryAttempts: 0 });
    expect(retried.succeeded).toEqual(batch.slice(0, 2));
    expect(retried.discarded?.items).toEqual(batch.slice(2));
  });

  it("discards records older than MaximumRecordAgeInSeconds before invoking", () => {
    const batch = [...items(1, T0), ...items(1, T0 + 30_000)];
    const { expired, rest } = splitExpired(firstAttempt(batch), T0 + 70_000, 60_000);
    expect(expired).toMatchObject({ condition: "MaximumRecordAgeExceeded", items: [batch[0]] });
    expect(rest?.items).toEqual([batch[1]]);
  });

  it("without an age limit, retries end when the record leaves the stream after 24 hours", () => {
    const { maximumRecordAgeMs } = resolveSettings({ StartingPosition: "LATEST" } as never);
    const batch = items(1, T0);
    expect(
      splitExpired(firstAttempt(batch), T0 + 23 * 3600_000, maximumRecordAgeMs).expired,
    ).toBeUndefined();
    expect(
      splitExpired(firstAttempt(batch), T0 + 25 * 3600_000, maximumRecordAgeMs).expired?.items,
    ).toEqual(batch);
  });
});

describe("on-failure records", () => {
  it("has Lambda's documented shape and S3 key format", () => {
    const batch = items(2, T0 + 500);
    const record = buildFailureRecord(
      { items: batch, condition: "RetryAttemptsExhausted", invocations: 3 },
      {
        requestId: "r",
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
        streamArn: ARN,
        shardId: "shardId-1",
        nowMs: T0 + 1234,
        functionError: "Unhandled",
      },
    );
    expect(record).toEqual({
      requestContext: {
        requestId: "r",
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2026-11-21T12:00:01.234Z",
      DDBStreamBatchInfo: {
        shardId: "shardId-1",
        startSequenceNumber: batch[0]!.sequenceNumber,
        endSequenceNumber: batch[1]!.sequenceNumber,
        approximateArrivalOfFirstRecord: "2026-11-21T12:00:00Z",
        approximateArrivalOfLastRecord: "2026-11-21T12:00:00Z",
        batchSize: 2,
        streamArn: ARN,
      },
    });
    expect(s3FailureKey("uuid", "shardId-1", T0 + 1234)).toMatch(
      /^aws\/lambda\/uuid\/shardId-1\/2026\/11\/21\/2026-11-21T12\.00\.01-[0-9a-f-]{36}$/,
    );
  });
});

describe("settings", () => {
  it("applies Lambda's defaults and rejects values outside Lambda's ranges", () => {
    const base = { StartingPosition: "LATEST" as const };
    const resolved = resolveSettings(base as never);
    expect(resolved).toMatchObject({
      batchSize: 100,
      batchingWindowMs: 0,
      maximumRetryAttempts: -1,
      maximumRecordAgeMs: 24 * 60 * 60 * 1000,
      parallelizationFactor: 1,
      bisect: false,
      timeoutMs: 3000,
    });
    expect(() => resolveSettings({ ...base, BatchSize: 10_001 } as never)).toThrow(/BatchSize/);
    expect(() => resolveSettings({ ...base, MaximumRecordAgeInSeconds: 30 } as never)).toThrow(
      /60 to 604800/,
    );
    expect(() => resolveSettings({ ...base, ParallelizationFactor: 11 } as never)).toThrow();
    expect(() => resolveSettings({ StartingPosition: "AT_TIMESTAMP" } as never)).toThrow(
      /Kinesis only/,
    );
    expect(() =>
      resolveSettings({
        ...base,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:0:q.fifo" } },
      } as never),
    ).toThrow(/standard one/);
  });
});
