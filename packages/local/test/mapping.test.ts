import type { Context, DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { eventually, recordsOf, sequenceOf, sortKeysOf, streamTable } from "./mapping-helpers.js";

describe("event source mapping: events and batching", () => {
  it("invokes the handler with Lambda's event: base64 binaries, epoch seconds, the stream ARN", async () => {
    const table = await streamTable();
    await table.put("CUSTOMER#1", "PROFILE", {
      avatar: { B: new Uint8Array([0, 1, 254, 255]) },
      tags: { BS: [new Uint8Array([104, 105])] },
      total: { N: "12.50" },
    });
    const contexts: Context[] = [];
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      functionName: "orders-stream",
      handler: (_event, context) => {
        contexts.push({ ...context, remaining: context.getRemainingTimeInMillis() } as Context);
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    const [record] = recordsOf(mapping)[0]!;
    expect(record).toMatchObject({
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      eventSourceARN: table.streamArn,
      dynamodb: {
        Keys: { PK: { S: "CUSTOMER#1" }, SK: { S: "PROFILE" } },
        NewImage: {
          avatar: { B: "AAH+/w==" },
          tags: { BS: ["aGk="] },
          total: { N: "12.5" },
        },
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    expect(typeof record?.eventID).toBe("string");
    expect(record?.awsRegion).toBeTruthy();
    expect(record?.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
    expect(record?.dynamodb?.SizeBytes).toBeGreaterThan(0);
    // Epoch seconds (DynamoDB Local rounds them down to the minute).
    const created = record?.dynamodb?.ApproximateCreationDateTime as number;
    expect(Number.isInteger(created)).toBe(true);
    expect(Math.abs(Date.now() / 1000 - created)).toBeLessThan(90);

    const [context] = contexts;
    expect(context).toMatchObject({
      functionName: "orders-stream",
      functionVersion: "$LATEST",
      awsRequestId: mapping.invocations[0]?.requestId,
      logGroupName: "/aws/lambda/orders-stream",
    });
    expect(context?.invokedFunctionArn).toMatch(
      /^arn:aws:lambda:[^:]+:\d{12}:function:orders-stream$/,
    );
    const remaining = (context as unknown as { remaining: number }).remaining;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(3000);
  });

  it("BatchSize: splits what is waiting into batches of at most BatchSize, in sequence order", async () => {
    const table = await streamTable();
    for (let i = 1; i <= 7; i++) await table.put("P", `S#${i}`);
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 3,
      handler: () => {},
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(sortKeysOf(mapping)).toEqual([["S#1", "S#2", "S#3"], ["S#4", "S#5", "S#6"], ["S#7"]]);
    const sequence = recordsOf(mapping)
      .flat()
      .map((record) => BigInt(sequenceOf(record)));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
    expect(mapping.stats()).toMatchObject({ recordsRead: 7, recordsSucceeded: 7, invocations: 3 });
    expect(Object.values(mapping.stats().checkpoints)).toEqual([
      sequenceOf(recordsOf(mapping)[2]![0]!),
    ]);
  });

  it("MaximumBatchingWindowInSeconds: waits for more records before invoking with a partial batch", async () => {
    const table = await streamTable();
    const mapping = table.mapping({
      StartingPosition: "LATEST",
      BatchSize: 2,
      // Long enough for the second write; the full batch goes out without waiting for the rest.
      MaximumBatchingWindowInSeconds: 5,
      handler: () => {},
    });
    await mapping.start();
    await table.put("P", "S#1");
    await eventually(() => mapping.stats().recordsRead === 1, "the first record is read");
    expect(mapping.invocations).toHaveLength(0);
    await table.put("P", "S#2");
    await mapping.waitForIdle();
    expect(sortKeysOf(mapping)).toEqual([["S#1", "S#2"]]);
  });

  it("without a batching window, a record read alone is invoked alone", async () => {
    const table = await streamTable();
    const mapping = table.mapping({ StartingPosition: "LATEST", BatchSize: 10, handler: () => {} });
    await mapping.start();
    await table.put("P", "S#1");
    await mapping.waitForIdle();
    await table.put("P", "S#2");
    await mapping.waitForIdle();
    expect(sortKeysOf(mapping)).toEqual([["S#1"], ["S#2"]]);
  });

  it("StartingPosition LATEST: skips records written before start; TRIM_HORIZON reads them", async () => {
    const table = await streamTable();
    await table.put("P", "OLD");
    const latest = table.mapping({ StartingPosition: "LATEST", handler: () => {} });
    const horizon = table.mapping({ StartingPosition: "TRIM_HORIZON", handler: () => {} });
    await latest.start();
    await horizon.start();
    await table.put("P", "NEW");
    await latest.waitForIdle();
    await horizon.waitForIdle();
    expect(sortKeysOf(latest).flat()).toEqual(["NEW"]);
    expect(sortKeysOf(horizon).flat()).toEqual(["OLD", "NEW"]);
  });
});

describe("event source mapping: FilterCriteria", () => {
  it("delivers only records whose key has the prefix; filtered-out records still move the checkpoint", async () => {
    const table = await streamTable();
    await table.put("CUSTOMER#1", "ORDER#1");
    await table.put("CUSTOMER#1", "ORDER#2");
    await table.put("CUSTOMER#1", "PROFILE");
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({ dynamodb: { Keys: { SK: { S: [{ prefix: "ORDER#" }] } } } }),
          },
        ],
      },
      handler: () => {},
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(sortKeysOf(mapping).flat()).toEqual(["ORDER#1", "ORDER#2"]);
    const filtered = mapping.log.find((entry) => entry.type === "filtered");
    expect(filtered).toBeDefined();
    const profileSequence = filtered?.type === "filtered" ? filtered.sequenceNumbers[0] : undefined;
    expect(Object.values(mapping.stats().checkpoints)).toEqual([profileSequence]);
    expect(mapping.stats()).toMatchObject({
      recordsFiltered: 1,
      recordsSucceeded: 2,
      recordsPending: 0,
    });
  });

  it("ORs its filters, and matches on eventName and typed image values", async () => {
    const table = await streamTable();
    await table.put("CUSTOMER#1", "ORDER#1", { status: { S: "pending" } });
    await table.put("CUSTOMER#1", "ORDER#1", { status: { S: "shipped" } });
    await table.put("CUSTOMER#1", "ORDER#2", { status: { S: "pending" } });
    await table.remove("CUSTOMER#1", "ORDER#2");
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      FilterCriteria: {
        Filters: [
          {
            Pattern:
              '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}',
          },
          { Pattern: '{"eventName":["REMOVE"]}' },
        ],
      },
      handler: () => {},
    });
    await mapping.start();
    await mapping.waitForIdle();
    expect(
      recordsOf(mapping)
        .flat()
        .map((record) => record.eventName),
    ).toEqual(["MODIFY", "REMOVE"]);
    expect(mapping.stats().recordsFiltered).toBe(2);
  });

  it("rejects a pattern that is not valid JSON, saying how to write one", async () => {
    const table = await streamTable();
    expect(() =>
      table.mapping({
        StartingPosition: "LATEST",
        FilterCriteria: { Filters: [{ Pattern: "{eventName: INSERT}" }] },
        handler: () => {},
      }),
    ).toThrow(/FilterCriteria\.Filters\[0\]\.Pattern.*JSON string/);
  });
});

describe("event source mapping: function timeout", () => {
  it("fails an invocation that runs past the timeout, like Lambda's Task timed out", async () => {
    const table = await streamTable();
    await table.put("P", "SLOW");
    const queue = await table.local.createQueue();
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      timeout: 0.2,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      // Never settles: only the timeout ends this invocation.
      handler: () => new Promise(() => {}),
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(mapping.invocations[0]?.error).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: "Task timed out after 0.20 seconds",
    });
    const [message] = await table.local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 1 },
      responseContext: { functionError: "Unhandled" },
    });
  });
});

describe("event source mapping: ParallelizationFactor", () => {
  it("runs batches of one shard concurrently and keeps each item's changes in order", async () => {
    const table = await streamTable();
    const items = ["A", "B", "C", "D", "E", "F"];
    for (let version = 1; version <= 3; version++) {
      for (const item of items) await table.put("P", item, { version: { N: String(version) } });
    }
    let running = 0;
    let maxRunning = 0;
    let releaseFirst: (() => void) | undefined;
    const seen = new Map<string, number[]>();
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 2,
      ParallelizationFactor: 4,
      handler: async (event: DynamoDBStreamEvent) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        // The first batch waits until a second one runs beside it (or gives up after 2 s).
        if (!releaseFirst && running === 1) {
          await new Promise<void>((resolve) => {
            releaseFirst = resolve;
            setTimeout(resolve, 2000);
          });
        } else {
          releaseFirst?.();
        }
        for (const record of event.Records) {
          const sk = record.dynamodb?.Keys?.SK?.S as string;
          const version = Number(record.dynamodb?.NewImage?.version?.N);
          seen.set(sk, [...(seen.get(sk) ?? []), version]);
        }
        running -= 1;
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(maxRunning).toBeGreaterThan(1);
    expect(new Set(mapping.invocations.map((invocation) => invocation.lane)).size).toBeGreaterThan(
      1,
    );
    for (const item of items) expect(seen.get(item)).toEqual([1, 2, 3]);
    // Every change of an item went through the same lane.
    const laneOfItem = new Map<string, Set<number>>();
    for (const invocation of mapping.invocations) {
      for (const record of (invocation.event as DynamoDBStreamEvent).Records) {
        const sk = record.dynamodb?.Keys?.SK?.S as string;
        laneOfItem.set(sk, (laneOfItem.get(sk) ?? new Set()).add(invocation.lane));
      }
    }
    for (const lanes of laneOfItem.values()) expect(lanes.size).toBe(1);
    // The checkpoint moved past the last record only once every lane had finished.
    const sequences = mapping.invocations
      .flatMap((invocation) => (invocation.event as DynamoDBStreamEvent).Records)
      .map((record) => BigInt(sequenceOf(record)))
      .sort((a, b) => (a < b ? -1 : 1));
    const last = sequences[sequences.length - 1];
    expect(mapping.stats()).toMatchObject({ recordsSucceeded: 18, recordsPending: 0 });
    expect(Object.values(mapping.stats().checkpoints).map(BigInt)).toEqual([last]);
  });
});

describe("event source mapping: lifecycle", () => {
  it("finds the stream from a table name, reports stats, and stops cleanly", async () => {
    const table = await streamTable();
    const { createEventSourceMapping } = await import("../src/mapping/index.js");
    const mapping = createEventSourceMapping({
      tableName: table.tableName,
      clients: table.local.clients,
      StartingPosition: "LATEST",
      handler: () => {},
    });
    await mapping.start();
    expect(mapping.streamArn).toBe(table.streamArn);
    await table.put("P", "S#1");
    await mapping.waitForIdle();
    await mapping.stop();
    await table.put("P", "S#2");
    expect(mapping.stats()).toMatchObject({
      state: "stopped",
      invocations: 1,
      recordsSucceeded: 1,
    });
    await expect(mapping.waitForIdle()).rejects.toThrow(/stopped/);
  });

  it("says why it is not idle, and stop() ends even a batch retried without limit", async () => {
    const table = await streamTable();
    await table.put("P", "S#1");
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      handler: () => {
        throw new Error("always");
      },
    });
    await mapping.start();
    await eventually(() => mapping.invocations.length >= 3, "the batch is retried");
    await expect(mapping.waitForIdle({ timeoutMs: 200 })).rejects.toThrow(
      /1 records not yet checkpointed; with MaximumRetryAttempts -1 .* set MaximumRetryAttempts or fix the handler/,
    );
    await mapping.stop();
    const invoked = mapping.invocations.length;
    // Several poll intervals pass without another invocation.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(mapping.invocations).toHaveLength(invoked);
    expect(mapping.stats()).toMatchObject({
      state: "stopped",
      recordsPending: 1,
      recordsSucceeded: 0,
    });
  });

  it("says what to do when the table has no stream", async () => {
    const local = (await streamTable()).local;
    const plain = await local.createTable();
    const { createEventSourceMapping } = await import("../src/mapping/index.js");
    const mapping = createEventSourceMapping({
      tableName: plain.tableName,
      clients: local.clients,
      StartingPosition: "LATEST",
      handler: () => {},
    });
    await expect(mapping.start()).rejects.toThrow(
      /has no stream; create it with StreamSpecification/,
    );
  });
});
