import { CreateTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkpointTableInput,
  type DeadLetter,
  DynamoDBCheckpointStore,
  PoisonRecordError,
  streamHandler,
} from "../src/index.js";
import { memoryLogger } from "./fixtures.js";

const stack = useLocalStack();
const mappings: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop()));
});

describe("end to end through the local event source mapping", () => {
  it.each([1, 2])(
    "with ParallelizationFactor %i, applies each change once in item order, dead-letters poison and resumes where Lambda does",
    async (parallelization) => {
      const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
      const checkpointTable = stack.uniqueName("checkpoints");
      await stack.clients.dynamodb.send(
        new CreateTableCommand(checkpointTableInput(checkpointTable)),
      );

      const applied = new Map<string, number[]>();
      const letters: DeadLetter[] = [];
      const failedOnce = new Set<string>();
      const handler = streamHandler({
        pipeline: "e2e",
        processor: "apply",
        ordering: "per-item",
        checkpoints: new DynamoDBCheckpointStore({
          client: stack.clients.dynamodb,
          tableName: checkpointTable,
        }),
        retry: { maxAttempts: 1 },
        handle: (event) => {
          const image = event.newImage as { PK: string; version: number; fail?: string };
          const id = `${image.PK}@${image.version}`;
          if (image.fail === "poison") throw new PoisonRecordError(`${id} can never apply`);
          if (image.fail === "transient" && !failedOnce.has(id)) {
            failedOnce.add(id);
            throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
          }
          applied.set(image.PK, [...(applied.get(image.PK) ?? []), image.version]);
        },
        deadLetter: async (batch) => {
          letters.push(...batch);
        },
        metrics: false,
        logger: memoryLogger().logger,
      });

      const mapping = createEventSourceMapping({
        streamArn: table.streamArn!,
        clients: stack.clients,
        handler,
        StartingPosition: "TRIM_HORIZON",
        BatchSize: 10,
        ParallelizationFactor: parallelization,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        MaximumRetryAttempts: 5,
        timeout: 10,
      });
      mappings.push(mapping);
      await mapping.start();

      // Five items, six versions each, written in order; two transient failures, one poison.
      const plan = (item: number, version: number) =>
        item === 1 && version === 2
          ? "transient"
          : item === 3 && version === 4
            ? "poison"
            : item === 4 && version === 1
              ? "transient"
              : undefined;
      for (let version = 0; version < 6; version++) {
        for (let item = 0; item < 5; item++) {
          const fail = plan(item, version);
          await stack.clients.dynamodb.send(
            new PutItemCommand({
              TableName: table.tableName,
              Item: {
                PK: { S: `ITEM#${item}` },
                SK: { S: "A" },
                version: { N: String(version) },
                ...(fail ? { fail: { S: fail } } : {}),
              },
            }),
          );
        }
      }
      // Every change has been handled once the mapping has moved past all 30 of them.
      const deadline = Date.now() + 20_000;
      while (mapping.stats().recordsSucceeded + mapping.stats().recordsDiscarded < 30) {
        if (Date.now() > deadline)
          throw new Error(`Mapping stuck: ${JSON.stringify(mapping.stats())}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }

      for (let item = 0; item < 5; item++) {
        const expected = [0, 1, 2, 3, 4, 5].filter((v) => plan(item, v) !== "poison");
        expect(applied.get(`ITEM#${item}`)).toEqual(expected);
      }
      expect(letters.map((l) => l.record.dynamodb?.NewImage?.PK)).toEqual([{ S: "ITEM#3" }]);
      expect(mapping.destinationMessages).toEqual([]);

      // Lambda's side: after a partial failure the next batch starts at the reported record.
      const invocations = mapping.invocations;
      const reportedAt = invocations.flatMap((invocation, i) => {
        const failures = (invocation.result as { batchItemFailures?: { itemIdentifier: string }[] })
          ?.batchItemFailures;
        return failures?.length ? [{ i, id: failures[0]!.itemIdentifier }] : [];
      });
      // Two transient failures: reported in one or two invocations, depending on the batching.
      expect(reportedAt.length).toBeGreaterThanOrEqual(1);
      for (const { i, id } of reportedAt) {
        const lane = invocations[i]!.lane;
        const next = invocations.slice(i + 1).find((invocation) => invocation.lane === lane)!;
        expect(next.event.Records[0]!.dynamodb!.SequenceNumber).toBe(id);
      }
    },
  );
});
