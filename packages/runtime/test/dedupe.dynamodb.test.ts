import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DynamoDBDedupeStore,
  dedupeTableInput,
  MemoryDedupeStore,
  streamHandler,
} from "../src/index.js";
import { countingClient } from "./client-counter.js";
import { batchOf, lambdaContext, memoryLogger } from "./fixtures.js";

const stack = useLocalStack();
let tableName: string;

beforeAll(async () => {
  tableName = stack.uniqueName("dedupe");
  await stack.clients.dynamodb.send(new CreateTableCommand(dedupeTableInput(tableName)));
});

describe("DynamoDB dedupe store", () => {
  it("marks an eventID once: the second conditional put reports a duplicate", async () => {
    const store = new DynamoDBDedupeStore({ client: stack.clients.dynamodb, tableName });
    expect(await store.mark("p|a", "event-1")).toBe(true);
    expect(await store.mark("p|a", "event-1")).toBe(false);
    // Scopes are separate: another processor has not seen it.
    expect(await store.mark("p|b", "event-1")).toBe(true);
  });

  it("finds marked ids among more than 100 in one BatchGetItem per 100", async () => {
    const { client, counts } = countingClient(stack.config);
    const store = new DynamoDBDedupeStore({ client, tableName });
    const ids = Array.from({ length: 250 }, (_, i) => `e-${i}`);
    for (const id of ids.filter((_, i) => i % 50 === 0)) await store.mark("p|seen", id);
    counts.clear();
    const seen = await store.seen("p|seen", ids);
    expect([...seen].sort()).toEqual(["e-0", "e-100", "e-150", "e-200", "e-50"]);
    expect(counts.get("BatchGetItemCommand")).toBe(3);
  });

  it("keeps marks longer than the stream's 24 hours and lets an expired one be taken again", async () => {
    let now = Date.UTC(2026, 10, 21);
    const store = new DynamoDBDedupeStore({
      client: stack.clients.dynamodb,
      tableName,
      now: () => now,
    });
    await store.mark("p|ttl", "event-9");
    now += 25 * 3600 * 1000;
    expect(await store.seen("p|ttl", ["event-9"])).toEqual(new Set(["event-9"]));
    expect(await store.mark("p|ttl", "event-9")).toBe(false);
    now += 8 * 24 * 3600 * 1000;
    expect(await store.seen("p|ttl", ["event-9"])).toEqual(new Set());
    expect(await store.mark("p|ttl", "event-9")).toBe(true);
  });

  it("makes the handler skip records already applied, for both stores", async () => {
    for (const store of [
      new DynamoDBDedupeStore({ client: stack.clients.dynamodb, tableName }),
      new MemoryDedupeStore(),
    ]) {
      const applied: string[] = [];
      const handler = streamHandler({
        pipeline: stack.uniqueName("dedupe-pipeline"),
        ordering: "per-item",
        dedupe: store,
        retry: { maxAttempts: 1, sleep: async () => {} },
        handle: (event) => {
          if (event.meta.eventId === "event-0" && applied.length === 0) {
            throw Object.assign(new Error("slow down"), { name: "ThrottlingException" });
          }
          applied.push(event.meta.eventId);
        },
        metrics: false,
        logger: memoryLogger().logger,
      });
      const event = batchOf(["a", "b", "c"]);
      expect((await handler(event, lambdaContext())).batchItemFailures).toHaveLength(1);
      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
      expect(applied.sort()).toEqual(["event-0", "event-1", "event-2"]);
    }
  });
});
