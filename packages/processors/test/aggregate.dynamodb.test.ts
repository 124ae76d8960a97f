import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import type { DynamoDBStreamRecord } from "@sluice/records";
import { type DeadLetter, DynamoDBCheckpointStore, streamHandler } from "@sluice/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { aggregate, aggregateReader } from "../src/index.js";
import {
  countingClient,
  createTables,
  dailySales,
  lambdaContext,
  numberText,
  type Order,
  type OrderFields,
  orderRecord,
  silentLogger,
} from "./aggregate.fixtures.js";

const stack = useLocalStack();
let aggregates: string;
let checkpoints: string;

beforeAll(async () => {
  ({ aggregates, checkpoints } = await createTables(stack));
});

const order = (id: string, status: string, total: string, orderDate: string): OrderFields => ({
  customer: `c-${id.length % 3}`,
  order: id,
  status,
  total,
  orderDate,
});

/** A handler for daily sales under a fresh name, with DynamoDB checkpoints on `client`. */
function dailySalesHandler(client: ReturnType<typeof countingClient>["client"], shards = 1) {
  const name = stack.uniqueName("daily-sales");
  const definition = { ...dailySales, name, shards };
  const handler = streamHandler<Order>({
    pipeline: "shop",
    processors: [aggregate<Order>({ ...definition, table: aggregates, client })],
    checkpoints: new DynamoDBCheckpointStore({ client, tableName: checkpoints }),
    retry: { maxAttempts: 3, baseDelayMs: 1 },
    deadLetter: async (batch) => {
      letters.push(...batch);
    },
    metrics: false,
    logger: silentLogger,
  });
  const reader = aggregateReader({
    ...definition,
    client: stack.clients.dynamodb,
    table: aggregates,
    consistentRead: true,
  });
  const letters: DeadLetter[] = [];
  const deliver = async (records: DynamoDBStreamRecord[], replay = false) => {
    const response = await handler({ Records: records, ...(replay && { replay }) }, lambdaContext);
    expect(response.batchItemFailures).toEqual([]);
  };
  return { deliver, reader, name, letters };
}

/** Three batches of changes to orders over two days: inserts, moves, a new minimum, deletes. */
function history(): DynamoDBStreamRecord[] {
  const records: DynamoDBStreamRecord[] = [];
  const add = (change: { before?: OrderFields; after?: OrderFields }) =>
    records.push(orderRecord(records.length, change));
  for (let i = 0; i < 30; i++) {
    add({ after: order(`o-${i}`, "paid", `${i}.25`, `2026-11-2${i % 2}`) });
  }
  // Order o-3 moves to the next day; o-4 is shipped; o-0, the smallest, is deleted.
  add({
    before: order("o-3", "paid", "3.25", "2026-11-21"),
    after: order("o-3", "paid", "3.25", "2026-11-22"),
  });
  add({
    before: order("o-4", "paid", "4.25", "2026-11-20"),
    after: order("o-4", "shipped", "4.25", "2026-11-20"),
  });
  add({ before: order("o-0", "paid", "0.25", "2026-11-20") });
  // A total of 38 significant digits, then changed.
  const big = "12345678901234567890123456789012345.678";
  add({ after: order("o-big", "paid", big, "2026-11-21") });
  add({
    before: order("o-big", "paid", big, "2026-11-21"),
    after: order("o-big", "paid", "1", "2026-11-21"),
  });
  return records;
}

describe("aggregate on DynamoDB Local", () => {
  it("costs one request per batch on first delivery, applies a redelivery once, and reads exact values", async () => {
    const { client, counts } = countingClient(stack.config);
    const { deliver, reader } = dailySalesHandler(client);
    const records = history();
    const batches = [records.slice(0, 12), records.slice(12, 24), records.slice(24)];
    for (const batch of batches) await deliver(batch);
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItems: 3 });

    const expectedDay20 = {
      orders: 13, // o-2, o-6, ..., o-28 without o-0 (deleted) and o-4 (shipped)
      revenue: [2, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28].reduce((s, i) => s + i + 0.25, 0),
      smallest: 2.25,
      largest: 28.25,
    };
    const check = async () => {
      const day20 = await reader.get("paid", "2026-11-20");
      expect(day20).toEqual(expectedDay20);
      expect(await reader.get("shipped", new Date("2026-11-20T12:00:00Z"))).toEqual({
        orders: 1,
        revenue: 4.25,
        smallest: 4.25,
        largest: 4.25,
      });
      const range = await reader.range("paid", "2026-11-20", "2026-11-22");
      expect(range.map((r) => r.bucket)).toEqual(["2026-11-20", "2026-11-21", "2026-11-22"]);
      // Day 21: o-1, o-5, ..., o-29 without o-3 (moved), and o-big at 1.
      expect(range[1]!.values.orders).toBe(15);
      expect(numberText(range[1]!.values.revenue)).toBe(
        String(
          [1, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29].reduce((s, i) => s + i + 0.25, 0) +
            1,
        ),
      );
      expect(range[1]!.values.smallest).toBe(1);
      expect(range[2]!.values).toEqual({ orders: 1, revenue: 3.25, smallest: 3.25, largest: 3.25 });
    };
    await check();

    // Lambda sends it all again within ten minutes: the same events give the same
    // ClientRequestToken, and DynamoDB answers without applying the transaction again.
    counts.clear();
    for (const batch of batches) await deliver(batch);
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItems: 3 });
    await check();
    // In other boundaries: the watermarks refuse the commit, the runtime reads them and skips.
    counts.clear();
    await deliver(records.slice(5, 30));
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItems: 1, BatchGetItem: 1 });
    await check();
  });

  it("keeps a 38-digit sum exact through DynamoDB's ADD", async () => {
    const { client } = countingClient(stack.config);
    const { deliver, reader } = dailySalesHandler(client);
    const big = "12345678901234567890123456789012345.678";
    await deliver([
      orderRecord(0, { after: order("a", "paid", big, "2026-11-21") }),
      orderRecord(1, { after: order("b", "paid", "0.001", "2026-11-21") }),
    ]);
    const values = await reader.get("paid", "2026-11-21");
    expect(numberText(values!.revenue)).toBe("12345678901234567890123456789012345.679");
    expect(numberText(values!.largest)).toBe(big);
  });

  it("dead-letters only the change whose write DynamoDB refuses, and applies the rest of its group", async () => {
    const { client, counts } = countingClient(stack.config);
    const { deliver, reader, letters } = dailySalesHandler(client);
    await deliver([orderRecord(0, { after: order("a", "paid", "9".repeat(38), "2026-11-21") })]);
    counts.clear();
    // 38 nines plus 0.5 needs 39 digits: DynamoDB refuses the whole transaction.
    await deliver([
      orderRecord(1, { after: order("b", "paid", "0.5", "2026-11-21") }),
      orderRecord(2, { after: order("c", "paid", "2", "2026-11-22") }),
      orderRecord(3, { after: order("d", "paid", "3", "2026-11-22") }),
    ]);
    expect(letters.map((l) => [l.record.eventID, l.error.code])).toEqual([
      ["event-1", "WRITE_REFUSED"],
    ]);
    expect(letters[0]!.error.message).toContain("38 digits");
    // All three, then b and c, then b alone, c alone, d alone; then the runtime moves the
    // watermark over the dead-lettered b.
    expect(counts.get("TransactWriteItems")).toBe(6);
    expect((await reader.get("paid", "2026-11-21"))?.orders).toBe(1);
    expect((await reader.get("paid", "2026-11-22"))?.revenue).toBe(5);
  });

  it("applies a transaction whose response was lost once, when the retry sends the same token", async () => {
    const { client, counts, lost } = countingClient(stack.config, {
      loseResponseOf: (n) => n === 1,
    });
    const { deliver, reader } = dailySalesHandler(client);
    await deliver([
      orderRecord(0, { after: order("a", "paid", "10", "2026-11-21") }),
      orderRecord(1, { after: order("b", "paid", "5", "2026-11-21") }),
    ]);
    expect(lost()).toBe(1);
    expect(counts.get("TransactWriteItems")).toBe(2);
    expect(await reader.get("paid", "2026-11-21")).toEqual({
      orders: 2,
      revenue: 15,
      smallest: 5,
      largest: 10,
    });
  });

  it("commits a batch beyond 100 actions in transactions that each fit, and never twice", async () => {
    const { client, counts } = countingClient(stack.config);
    const { deliver, reader } = dailySalesHandler(client);
    // 100 orders on 100 days: 100 writes and 100 watermarks, two transactions of 100 actions.
    const day = (i: number) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
    const records = Array.from({ length: 100 }, (_, i) =>
      orderRecord(i, { after: order(`o-${i}`, "paid", "1", day(i)) }),
    );
    await deliver(records);
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItems: 2 });
    await deliver(records.slice(30));
    const all = await reader.range("paid", day(0), day(99));
    expect(all).toHaveLength(100);
    expect(all.every((r) => r.values.orders === 1 && r.values.revenue === 1)).toBe(true);
  });

  it("spreads a hot key over shards by item and sums them when reading", async () => {
    const { client } = countingClient(stack.config);
    const { deliver, reader, name } = dailySalesHandler(client, 4);
    const records = Array.from({ length: 40 }, (_, i) =>
      orderRecord(i, { after: order(`o-${i}`, "paid", String(i), "2026-11-21") }),
    );
    // Half the orders move to shipped: each leaves the shard it was added to.
    for (let i = 0; i < 20; i++) {
      records.push(
        orderRecord(40 + i, {
          before: order(`o-${i}`, "paid", String(i), "2026-11-21"),
          after: order(`o-${i}`, "shipped", String(i), "2026-11-21"),
        }),
      );
    }
    await deliver(records.slice(0, 30));
    await deliver(records.slice(30));
    const paid = await reader.get("paid", "2026-11-21");
    expect(paid).toEqual({ orders: 20, revenue: 590, smallest: 20, largest: 39 });
    const shipped = await reader.range("shipped", "2026-11-21", "2026-11-21");
    expect(shipped).toEqual([
      { bucket: "2026-11-21", values: { orders: 20, revenue: 190, smallest: 0, largest: 19 } },
    ]);
    // Every shard holds a share of the one aggregate.
    const shares = await Promise.all(
      [0, 1, 2, 3].map(async (shard) => {
        const { Item } = await stack.clients.dynamodb.send(
          new GetItemCommand({
            TableName: aggregates,
            Key: {
              pk: { S: shard === 0 ? `${name}#paid` : `${name}:${shard}#paid` },
              sk: { S: "2026-11-21" },
            },
            ConsistentRead: true,
          }),
        );
        return Number(Item?.orders?.N ?? 0);
      }),
    );
    expect(shares.every((orders) => orders > 0)).toBe(true);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(20);
    expect(await reader.get("paid", "2026-11-22")).toBeUndefined();
  });

  it("after raising shards, takes back contributions written before and reads them all", async () => {
    const { client } = countingClient(stack.config);
    const name = stack.uniqueName("sales");
    const handlerWith = (shards: number) =>
      streamHandler<Order>({
        pipeline: "shop",
        processors: [aggregate<Order>({ ...dailySales, name, shards, table: aggregates, client })],
        checkpoints: new DynamoDBCheckpointStore({ client, tableName: checkpoints }),
        metrics: false,
        logger: silentLogger,
      });
    const before = Array.from({ length: 10 }, (_, i) => order(`o-${i}`, "paid", "1", "2026-11-21"));
    await handlerWith(1)(
      { Records: before.map((after, i) => orderRecord(i, { after })) },
      lambdaContext,
    );
    // With three shards, half the orders are shipped and one deleted.
    const changes = before
      .slice(0, 5)
      .map((fields, i) =>
        orderRecord(10 + i, { before: fields, after: { ...fields, status: "shipped" } }),
      );
    changes.push(orderRecord(15, { before: before[9]! }));
    await handlerWith(3)({ Records: changes }, lambdaContext);
    const reader = aggregateReader({
      ...dailySales,
      name,
      shards: 3,
      client: stack.clients.dynamodb,
      table: aggregates,
      consistentRead: true,
    });
    expect(await reader.get("paid", "2026-11-21")).toEqual({
      orders: 4,
      revenue: 4,
      smallest: 1,
      largest: 1,
    });
    expect((await reader.get("shipped", "2026-11-21"))?.orders).toBe(5);
  });

  it("without checkpoints, as in a replay, writes each group's deltas in one transaction", async () => {
    const { client, counts } = countingClient(stack.config);
    const { deliver, reader } = dailySalesHandler(client);
    await deliver(
      [
        orderRecord(0, { after: order("a", "paid", "2", "2026-11-21") }),
        orderRecord(1, { after: order("b", "paid", "3", "2026-11-22") }),
      ],
      true,
    );
    expect(Object.fromEntries(counts)).toEqual({ TransactWriteItems: 1 });
    expect((await reader.get("paid", "2026-11-22"))?.revenue).toBe(3);
  });
});
