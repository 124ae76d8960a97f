import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
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
  override async read(ids: string[]) {
    if (this.failures-- > 0) throw throttled();
    return super.read(ids);
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

  it("keeps the checkpoint write when DynamoDB throttles it, even inside the deadline margin", async () => {
    const stack = useLocalStack();
    const tableName = stack.uniqueName("checkpoints");
    await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(tableName)));
    // The SDK's own retries off, so the runtime's are the ones tested.
    const { client } = countingClient(stack.config, { maxAttempts: 1 });
    let throttles = 3;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand" && throttles > 0) {
          throttles--;
          throw throttled();
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "throttleThrice", priority: "low" },
    );
    const store = new DynamoDBCheckpointStore({ client, tableName });
    // The last record is handled when the margin begins: the write then has only the margin.
    let remaining = 10_000;
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: store,
      deadlineMarginMs: 2_000,
      retry: { maxAttempts: 3, ...noSleep },
      handle: (event) => {
        if (event.meta.eventId === "event-2") remaining = 1_500;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b", "c"]);
    expect(
      await handler(
        event,
        lambdaContext(() => remaining),
      ),
    ).toEqual({
      batchItemFailures: [],
    });
    expect(throttles).toBe(0);
    // Delivered again, every record is covered.
    let applied = 0;
    const again = streamHandler({
      pipeline: "p",
      checkpoints: store,
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    await again(event, lambdaContext());
    expect(applied).toBe(0);
  });
});
