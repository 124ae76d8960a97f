import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  checkpointTableInput,
  createCheckpointTable,
  DynamoDBCheckpointStore,
  streamHandler,
  watermarkTtlSeconds,
} from "../src/index.js";
import { countingClient } from "./client-counter.js";
import { batchOf, lambdaContext, memoryLogger } from "./fixtures.js";

const stack = useLocalStack();
let tableName: string;

beforeAll(async () => {
  tableName = stack.uniqueName("checkpoints");
  // No TTL here: DynamoDB Local's TTL sweep slows down for every TTL table of the run.
  await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(tableName)));
});

const store = () => new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
const read = async (id: string) => (await store().read([id])).get(id);

describe("DynamoDB checkpoint store", () => {
  it("creates its table with TTL on expiresAt, and creating it again is harmless", async () => {
    const created = stack.uniqueName("checkpoints-ttl");
    await createCheckpointTable(stack.clients.dynamodb, created);
    await createCheckpointTable(stack.clients.dynamodb, created);
    const { TimeToLiveDescription } = await stack.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: created }),
    );
    expect(TimeToLiveDescription).toMatchObject({
      AttributeName: "expiresAt",
      TimeToLiveStatus: "ENABLED",
    });
    await stack.clients.dynamodb.send(new DeleteTableCommand({ TableName: created }));
  });

  it("compares 40-digit sequence numbers numerically, not as text", async () => {
    const id = "shop|sales|numeric";
    expect(await read(id)).toBeUndefined();
    await store().write([{ id, sequenceNumber: "9" }]);
    // "10" < "9" as text; the padded form orders it after 9.
    await store().write([{ id, sequenceNumber: "10" }]);
    expect((await read(id))?.sequenceNumber).toBe("10");
    const big = "9".repeat(40);
    await store().write([{ id, sequenceNumber: big }]);
    await store().write([{ id, sequenceNumber: `8${"9".repeat(39)}` }]);
    expect((await read(id))?.sequenceNumber).toBe(big);
  });

  it("never moves a watermark down, and a lower write among others is dropped, not an error", async () => {
    await store().write([{ id: "shop|sales|high", sequenceNumber: "500" }]);
    await store().write([
      { id: "shop|sales|high", sequenceNumber: "400" },
      { id: "shop|sales|other", sequenceNumber: "100" },
    ]);
    expect((await read("shop|sales|high"))?.sequenceNumber).toBe("500");
    expect((await read("shop|sales|other"))?.sequenceNumber).toBe("100");
  });

  it("keeps changes finished above the watermark, and drops the list when the watermark passes them", async () => {
    const id = "shop|sales|finished";
    await store().write([{ id, sequenceNumber: "100", finished: ["105", "107"] }]);
    expect(await read(id)).toEqual({ id, sequenceNumber: "100", finished: ["105", "107"] });
    await store().write([{ id, sequenceNumber: "200" }]);
    expect(await read(id)).toEqual({ id, sequenceNumber: "200" });
  });

  it("reads many items in one request per 100", async () => {
    const { client, counts } = countingClient(stack.config);
    const counted = new DynamoDBCheckpointStore({ client, tableName });
    const watermarks = Array.from({ length: 150 }, (_, i) => ({
      id: `shop|many|${i}`,
      sequenceNumber: String(1000 + i),
    }));
    await counted.write(watermarks);
    const found = await counted.read(watermarks.map((w) => w.id));
    expect(found.size).toBe(150);
    expect(found.get("shop|many|149")?.sequenceNumber).toBe("1149");
    expect(Object.fromEntries(counts)).toEqual({
      TransactWriteItemsCommand: 2,
      BatchGetItemCommand: 2,
    });
  });

  it("two concurrent writers cannot move a watermark down", async () => {
    const id = "shop|sales|race";
    const values = (offset: number) =>
      Array.from({ length: 30 }, (_, i) => (10n ** 30n + BigInt(i * 2 + offset) * 7n).toString());
    const up = values(0);
    const down = values(1).slice(0, 15).reverse();
    await Promise.all([
      (async () => {
        for (const v of up) await store().write([{ id, sequenceNumber: v }]);
      })(),
      (async () => {
        for (const v of down) await store().write([{ id, sequenceNumber: v }]);
      })(),
    ]);
    expect((await read(id))?.sequenceNumber).toBe(up.at(-1));
  });

  it("stores the watermark zero-padded to 40 digits, with an expiry from the change's time", async () => {
    await store().write([{ id: "shop|sales|padded", sequenceNumber: "123", expiresAt: 1_000 }]);
    const { Item } = await stack.clients.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: "shop|sales|padded" } } }),
    );
    expect(Item?.seq?.S).toBe("123".padStart(40, "0"));
    expect(Item?.expiresAt?.N).toBe("1000");
  });
});

describe("checkpoints through the handler, counted at the client", () => {
  it("costs one read and one write per batch of 100, and only the read for a batch already applied", async () => {
    const { client, counts } = countingClient(stack.config);
    const checkpoints = new DynamoDBCheckpointStore({ client, tableName });
    let applied = 0;
    const handler = streamHandler({
      pipeline: "count",
      processor: "sum",
      checkpoints,
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const items = Array.from({ length: 300 }, (_, i) => `item-${i % 17}`);
    const all = batchOf(items).Records;
    const batches = [0, 100, 200].map((start) => ({ Records: all.slice(start, start + 100) }));
    for (const batch of batches) await handler(batch, lambdaContext());
    expect(applied).toBe(300);
    expect(Object.fromEntries(counts)).toEqual({
      BatchGetItemCommand: 3,
      TransactWriteItemsCommand: 3,
    });

    counts.clear();
    // Delivered again in other boundaries: every record is recognised.
    for (const start of [0, 37, 150, 151, 299]) {
      await handler({ Records: all.slice(start, start + 60) }, lambdaContext());
    }
    expect(applied).toBe(300);
    expect(Object.fromEntries(counts)).toEqual({ BatchGetItemCommand: 5 });
  });

  it("expires a watermark two days after the change it covers", async () => {
    const handler = streamHandler({
      pipeline: "ttl",
      checkpoints: store(),
      handle: () => {},
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a"]);
    await handler(event, lambdaContext());
    const created = event.Records[0]!.dynamodb!.ApproximateCreationDateTime as number;
    const { Items } = await stack.clients.dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "begins_with(id, :p)",
        ExpressionAttributeValues: { ":p": { S: "ttl|default|" } },
        ConsistentRead: true,
      }),
    );
    expect(Items?.map((item) => Number(item.expiresAt?.N))).toEqual([
      created + watermarkTtlSeconds,
    ]);
  });
});
