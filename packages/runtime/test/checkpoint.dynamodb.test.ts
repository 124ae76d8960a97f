import { CreateTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CheckpointKey,
  checkpointTableInput,
  DynamoDBCheckpointStore,
  streamHandler,
} from "../src/index.js";
import { countingClient } from "./client-counter.js";
import { batchOf, lambdaContext, memoryLogger } from "./fixtures.js";

const stack = useLocalStack();
let tableName: string;

beforeAll(async () => {
  tableName = stack.uniqueName("checkpoints");
  await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(tableName)));
});

const key = (scope: string): CheckpointKey => ({ pipeline: "shop", processor: "sales", scope });
const state = (sequenceNumber: string, finished: string[] = []) => ({ sequenceNumber, finished });

describe("DynamoDB checkpoint store", () => {
  it("compares 40-digit sequence numbers numerically, not as text", async () => {
    const store = new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
    const k = key("shard#numeric");
    expect(await store.read(k)).toBeUndefined();
    expect(await store.write(k, state("9"), undefined)).toBe("written");
    // "10" < "9" as text; the padded form orders it after 9.
    expect(await store.write(k, state("10"), undefined)).toBe("written");
    const big = "9".repeat(40);
    expect(await store.write(k, state(big), undefined)).toBe("written");
    expect(await store.write(k, state(`8${"9".repeat(39)}`), undefined)).toBe("stale");
    expect(await store.read(k)).toEqual(state(big));
  });

  it("never moves backwards and treats a lost race as stale, not as an error", async () => {
    const store = new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
    const k = key("shard#backwards");
    await store.write(k, state("500"), undefined);
    expect(await store.write(k, state("400"), undefined)).toBe("stale");
    expect(await store.write(k, state("500"), undefined)).toBe("stale");
    expect(await store.read(k)).toEqual(state("500"));
  });

  it("adds finished records at the same watermark and replaces them when it moves", async () => {
    const store = new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
    const k = key("shard#finished");
    await store.write(k, state("100", ["105"]), undefined);
    await store.write(k, state("100", ["107"]), state("100", ["105"]));
    expect((await store.read(k))?.finished.sort()).toEqual(["105", "107"]);
    // A same-watermark write from a writer that fell behind does not land.
    await store.write(k, state("200"), state("100"));
    expect(await store.write(k, state("100", ["109"]), state("100"))).toBe("stale");
    expect(await store.read(k)).toEqual(state("200"));
  });

  it("two concurrent writers cannot regress the checkpoint", async () => {
    const store = new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
    const k = key("shard#race");
    const values = (offset: number) =>
      Array.from({ length: 40 }, (_, i) => (10n ** 30n + BigInt(i * 2 + offset) * 7n).toString());
    const observed: bigint[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const read = await store.read(k);
        if (read) observed.push(BigInt(read.sequenceNumber));
      }
    })();
    // Writer A goes up to the highest value; writer B goes down from the middle: without the
    // condition B would drag the checkpoint back.
    const a = values(0);
    const b = values(1).slice(0, 20).reverse();
    const results = await Promise.all([
      (async () => {
        for (const v of a) await store.write(k, state(v), undefined);
      })(),
      (async () => {
        const out: string[] = [];
        for (const v of b) out.push(await store.write(k, state(v), undefined));
        return out;
      })(),
    ]);
    writing = false;
    await reader;
    expect((await store.read(k))!.sequenceNumber).toBe(a.at(-1));
    expect(results[1]).toContain("stale");
    for (let i = 1; i < observed.length; i++) {
      expect(observed[i]! >= observed[i - 1]!).toBe(true);
    }
  });

  it("stores the watermark as a zero-padded 40-digit string", async () => {
    const store = new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName });
    await store.write(key("shard#padded"), state("123"), undefined);
    const { Item } = await stack.clients.dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: "shop|sales|shard#padded" } } }),
    );
    expect(Item?.seq?.S).toBe("123".padStart(40, "0"));
  });
});

describe("checkpoints through the handler, counted at the client", () => {
  it("reads once and writes once per batch, and writes nothing for a batch already applied", async () => {
    const { client, counts } = countingClient(stack.config);
    const store = new DynamoDBCheckpointStore({ client, tableName });
    let applied = 0;
    const handler = streamHandler({
      pipeline: "count",
      processor: "sum",
      checkpoints: store,
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const items = Array.from({ length: 300 }, (_, i) => `item-${i % 17}`);
    const all = batchOf(items).Records;
    const batches = [0, 100, 200].map((start) => ({
      Records: all.slice(start, start + 100),
      shardId: "shardId-counted",
    }));
    for (const batch of batches) await handler(batch, lambdaContext());
    expect(applied).toBe(300);
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 3, UpdateItemCommand: 3 });

    counts.clear();
    for (const batch of batches) await handler(batch, lambdaContext());
    expect(applied).toBe(300);
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 3 });
  });
});
