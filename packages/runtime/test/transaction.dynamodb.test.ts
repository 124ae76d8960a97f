import {
  CreateTableCommand,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
} from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type BatchProcessor,
  checkpointTableInput,
  chunkActions,
  DynamoDBCheckpointStore,
  PoisonRecordError,
  type RecordResult,
  streamHandler,
  transactWithCheckpoint,
} from "../src/index.js";
import { countingClient } from "./client-counter.js";
import { batchOf, lambdaContext, memoryLogger, noSleep, seqAt, streamRecord } from "./fixtures.js";

const stack = useLocalStack();
let checkpoints: string;
let effects: string;

beforeAll(async () => {
  checkpoints = stack.uniqueName("checkpoints");
  await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(checkpoints)));
  effects = (await stack.createTable({ keys: { sortKey: null } })).tableName;
});

const addTo = (pk: string, amount: number): TransactWriteItem => ({
  Update: {
    TableName: effects,
    Key: { PK: { S: pk } },
    UpdateExpression: "ADD #total :n",
    ExpressionAttributeNames: { "#total": "total" },
    ExpressionAttributeValues: { ":n": { N: String(amount) } },
  },
});

async function total(pk: string): Promise<number | undefined> {
  const { Item } = await stack.clients.dynamodb.send(
    new GetItemCommand({ TableName: effects, Key: { PK: { S: pk } }, ConsistentRead: true }),
  );
  return Item?.total?.N === undefined ? undefined : Number(Item.total.N);
}

describe("effect and checkpoint in one transaction", () => {
  const watermark = (id: string, sequenceNumber: string) => ({ id, sequenceNumber });

  it("commits both in one TransactWriteItems, and a retry with the same batch id applies nothing twice", async () => {
    const { client, counts } = countingClient(stack.config);
    const store = new DynamoDBCheckpointStore({ client, tableName: checkpoints });
    const input = {
      client,
      writes: [addTo("DAY#1", 10), addTo("DAY#2", 5)],
      checkpoint: [store.updateAction(watermark("tx|item-1", "300"), "100")],
      batchId: "tx:100-300",
    };
    expect(await transactWithCheckpoint(input)).toBe(1);
    expect(counts.get("TransactWriteItemsCommand")).toBe(1);
    // Same token within 10 minutes: DynamoDB returns success without applying it again.
    await transactWithCheckpoint(input);
    expect(await total("DAY#1")).toBe(10);
    expect((await store.read(["tx|item-1"])).get("tx|item-1")?.sequenceNumber).toBe("300");
  });

  it("cancels the effect when the item's watermark already covers it", async () => {
    const store = new DynamoDBCheckpointStore({
      client: stack.clients.dynamodb,
      tableName: checkpoints,
    });
    await store.write([watermark("tx|ahead", "900")]);
    const attempt = transactWithCheckpoint({
      client: stack.clients.dynamodb,
      writes: [addTo("DAY#ahead", 7)],
      checkpoint: [store.updateAction(watermark("tx|ahead", "950"), "500")],
      batchId: "ahead:500-950",
    });
    await expect(attempt).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(await total("DAY#ahead")).toBeUndefined();
  });

  it("chunks at 100 actions with the watermarks in the last transaction", async () => {
    const { client, counts } = countingClient(stack.config);
    const store = new DynamoDBCheckpointStore({ client, tableName: checkpoints });
    const writes = Array.from({ length: 250 }, (_, i) => addTo(`KEY#${i}`, 1));
    const marks = [store.updateAction(watermark("tx|wide", "42"))];
    expect(chunkActions([...writes, ...marks]).map((c) => c.length)).toEqual([100, 100, 51]);
    const sent = await transactWithCheckpoint({
      client,
      writes,
      checkpoint: marks,
      batchId: "wide:1-42",
    });
    expect(sent).toBe(3);
    expect(counts.get("TransactWriteItemsCommand")).toBe(3);
    expect(await total("KEY#249")).toBe(1);
    expect((await store.read(["tx|wide"])).get("tx|wide")?.sequenceNumber).toBe("42");
  });

  it("chunks by size under 4 MB", () => {
    const big = "x".repeat(350 * 1024);
    const writes: TransactWriteItem[] = Array.from({ length: 30 }, (_, i) => ({
      Put: { TableName: effects, Item: { PK: { S: `BIG#${i}` }, blob: { S: big } } },
    }));
    const chunks = chunkActions([...writes, addTo("CHECKPOINT", 1)]);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((n, w) => n + JSON.stringify(w).length, 0);
      expect(bytes).toBeLessThan(4 * 1024 * 1024);
    }
  });
});

describe("ctx.commit for batch processors", () => {
  // Sums `value` per item, one ADD per distinct item per call, committed with the checkpoint.
  const summing = (prefix: string, failOnce: Set<string>): BatchProcessor => ({
    name: "sums",
    async process(events, ctx): Promise<RecordResult[]> {
      const failing = new Set(
        events.map((e) => String(e.keys.PK)).filter((pk) => failOnce.delete(pk)),
      );
      const sums = new Map<string, number>();
      const ok = events.filter((e) => !failing.has(String(e.keys.PK)));
      for (const e of ok) {
        const pk = `${prefix}${String(e.keys.PK)}`;
        sums.set(pk, (sums.get(pk) ?? 0) + Number(e.newImage?.value));
      }
      await ctx.commit!(
        [...sums].map(([pk, n]) => addTo(pk, n)),
        ok,
      );
      return events.map((e) =>
        failing.has(String(e.keys.PK))
          ? { ok: false, error: Object.assign(new Error("busy"), { name: "ThrottlingException" }) }
          : { ok: true },
      );
    },
  });

  it("writes effect and checkpoint in one transaction per batch and applies nothing twice on redelivery", async () => {
    const { client, counts } = countingClient(stack.config);
    const prefix = stack.uniqueName("sum");
    const handler = streamHandler({
      pipeline: prefix,
      processors: [summing(prefix, new Set())],
      checkpoints: new DynamoDBCheckpointStore({ client, tableName: checkpoints }),
      metrics: false,
      logger: memoryLogger().logger,
    });
    const all = batchOf(Array.from({ length: 150 }, (_, i) => `item-${i % 3}`)).Records;
    const batches = [0, 50, 100].map((start) => ({ Records: all.slice(start, start + 50) }));
    for (const batch of batches) await handler(batch, lambdaContext());
    const expected = (item: number) =>
      Array.from({ length: 150 }, (_, i) => i)
        .filter((i) => i % 3 === item)
        .reduce((a, b) => a + b, 0);
    expect(await total(`${prefix}item-1`)).toBe(expected(1));
    // Per batch: one read of the items' watermarks, one transaction for effect and watermarks.
    expect(Object.fromEntries(counts)).toEqual({
      BatchGetItemCommand: 3,
      TransactWriteItemsCommand: 3,
    });
    counts.clear();
    for (const batch of batches) await handler(batch, lambdaContext());
    expect(await total(`${prefix}item-1`)).toBe(expected(1));
    expect(Object.fromEntries(counts)).toEqual({ BatchGetItemCommand: 3 });
  });

  it("refuses an effect that another delivery committed meanwhile, instead of applying it twice", async () => {
    const prefix = stack.uniqueName("race");
    const store = new DynamoDBCheckpointStore({
      client: stack.clients.dynamodb,
      tableName: checkpoints,
    });
    const event = {
      Records: [
        streamRecord({ index: 0, pk: "item-0", value: 10 }),
        streamRecord({ index: 1, pk: "item-0", value: 5 }),
      ],
    };
    // Both deliveries read the watermark before either commits.
    let arrived = 0;
    let bothRead = () => {};
    const gate = new Promise<void>((resolve) => {
      bothRead = resolve;
    });
    const slow: BatchProcessor = {
      name: "sums",
      async process(events, ctx) {
        if (++arrived === 2) bothRead();
        await gate;
        return summing(prefix, new Set()).process(events, ctx);
      },
    };
    const handler = streamHandler({
      pipeline: prefix,
      retry: { maxAttempts: 1, ...noSleep },
      processors: [slow],
      checkpoints: store,
      metrics: false,
      logger: memoryLogger().logger,
    });
    // Two different ranges (a lost response and a smaller batch), so their tokens differ too.
    const [a, b] = await Promise.all([
      handler(event, lambdaContext()),
      handler({ Records: event.Records.slice(0, 1) }, lambdaContext()),
    ]);
    // The loser reports its batch, and its redelivery skips what the winner applied.
    expect([a.batchItemFailures.length, b.batchItemFailures.length].sort()).toEqual([0, 1]);
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await total(`${prefix}item-0`)).toBe(10 + 5);
  });

  it("reading on conflict, costs one request per batch on first delivery and applies a redelivery once", async () => {
    const { client, counts } = countingClient(stack.config);
    const prefix = stack.uniqueName("lazy");
    const letters: string[] = [];
    const lazy: BatchProcessor = {
      ...summing(prefix, new Set()),
      checkpointRead: "on-conflict",
      async process(events, ctx) {
        const poison = events.filter((e) => String(e.keys.PK) === "poison");
        const rest = events.filter((e) => String(e.keys.PK) !== "poison");
        const results = await summing(prefix, new Set()).process(rest, ctx);
        return events.map((e) =>
          poison.includes(e)
            ? { ok: false, error: new PoisonRecordError("no total") }
            : results[rest.indexOf(e)]!,
        );
      },
    };
    const handler = streamHandler({
      pipeline: prefix,
      retry: { maxAttempts: 2, ...noSleep },
      processors: [lazy],
      checkpoints: new DynamoDBCheckpointStore({ client, tableName: checkpoints }),
      deadLetter: async (batch) => {
        letters.push(...batch.map((l) => l.record.eventID!));
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const items = Array.from({ length: 90 }, (_, i) => (i === 40 ? "poison" : `item-${i % 3}`));
    const all = batchOf(items).Records;
    const batches = [0, 30, 60].map((start) => ({ Records: all.slice(start, start + 30) }));
    for (const batch of batches) await handler(batch, lambdaContext());
    // One commit per batch; the batch with the poison record reads before dead-lettering it and
    // then writes the poison item's watermark.
    expect(Object.fromEntries(counts)).toEqual({
      BatchGetItemCommand: 1,
      TransactWriteItemsCommand: 4,
    });
    const expected = (item: number) =>
      items.reduce((sum, pk, i) => (pk === `item-${item}` ? sum + i : sum), 0);
    expect(await total(`${prefix}item-1`)).toBe(expected(1));

    counts.clear();
    // Delivered again in other boundaries: refused, read, nothing applied or dead-lettered twice.
    for (const start of [10, 45]) {
      const response = await handler({ Records: all.slice(start, start + 45) }, lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
    }
    expect(await total(`${prefix}item-1`)).toBe(expected(1));
    expect(letters).toEqual(["event-40"]);
    expect(counts.get("BatchGetItemCommand")).toBe(2);
  });

  it("is exactly once when some items fail and Lambda redelivers from the reported record", async () => {
    const prefix = stack.uniqueName("partial");
    const handler = streamHandler({
      pipeline: prefix,
      ordering: "per-item",
      retry: { maxAttempts: 1, ...noSleep },
      processors: [summing(prefix, new Set(["item-1"]))],
      checkpoints: new DynamoDBCheckpointStore({
        client: stack.clients.dynamodb,
        tableName: checkpoints,
      }),
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["item-0", "item-1", "item-2", "item-1", "item-0"]);
    const first = await handler(event, lambdaContext());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: seqAt(1) }]);
    const again = await handler({ Records: event.Records.slice(1) }, lambdaContext());
    expect(again.batchItemFailures).toEqual([]);
    expect(await total(`${prefix}item-0`)).toBe(0 + 4);
    expect(await total(`${prefix}item-1`)).toBe(1 + 3);
    expect(await total(`${prefix}item-2`)).toBe(2);
  });
});
