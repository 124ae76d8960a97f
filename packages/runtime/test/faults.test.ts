import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
  type CheckpointKey,
  checkpointTableInput,
  DynamoDBCheckpointStore,
  MemoryCheckpointStore,
  streamHandler,
} from "../src/index.js";
import { countingClient } from "./client-counter.js";
import { batchOf, lambdaContext, memoryLogger, noSleep, seqAt } from "./fixtures.js";

const throttled = () =>
  Object.assign(new Error("The level of configured provisioned throughput was exceeded"), {
    name: "ProvisionedThroughputExceededException",
    $metadata: { httpStatusCode: 400 },
  });

/** A store whose reads fail `failures` times: throttling is a fault DynamoDB Local cannot produce. */
class ThrottledReads extends MemoryCheckpointStore {
  constructor(private failures: number) {
    super();
  }
  override async read(key: CheckpointKey) {
    if (this.failures-- > 0) throw throttled();
    return super.read(key);
  }
}

describe("faults around the stores", () => {
  it("retries a throttled checkpoint read and then processes the batch", async () => {
    let applied = 0;
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: new ThrottledReads(2),
      retry: { maxAttempts: 3, ...noSleep },
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    expect(await handler(batchOf(["a", "b"]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(applied).toBe(2);
  });

  it("applies nothing and reports the first record when the checkpoint cannot be read", async () => {
    let applied = 0;
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: new ThrottledReads(10),
      retry: { maxAttempts: 3, ...noSleep },
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    expect(await handler(batchOf(["a", "b"]), lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: seqAt(0) }],
    });
    expect(applied).toBe(0);
  });

  it("keeps the checkpoint write when DynamoDB throttles it once", async () => {
    const stack = useLocalStack();
    const tableName = stack.uniqueName("checkpoints");
    await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(tableName)));
    const { client, counts } = countingClient(stack.config);
    let throttleNext = true;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "UpdateItemCommand" && throttleNext) {
          throttleNext = false;
          throw throttled();
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "throttleOnce", priority: "low" },
    );
    const store = new DynamoDBCheckpointStore({ client, tableName });
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: store,
      retry: { maxAttempts: 3, ...noSleep },
      handle: () => {},
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = { ...batchOf(["a", "b", "c"]), shardId: "shard-throttled" };
    await handler(event, lambdaContext());
    expect(throttleNext).toBe(false);
    expect(counts.get("UpdateItemCommand")).toBe(1);
    const key = { pipeline: "p", processor: "default", scope: "shard#shard-throttled" };
    expect((await store.read(key))?.sequenceNumber).toBe(seqAt(2));
  });
});
