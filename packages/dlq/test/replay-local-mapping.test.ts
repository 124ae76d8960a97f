import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createEventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { compareSequenceNumbers, type DynamoDBStreamEvent } from "@sluice/records";
import { describe, expect, it } from "vitest";
import { handlerTarget, lambdaSqsSource, replay } from "../src/index.js";
import { queueDepth, readWholeStream } from "./stream-helpers.js";

const stack = useLocalStack();
const { dynamodb, streams, sqs } = stack.clients;

describe("replay of what the local event source mapping sent to its failure destination", () => {
  it("re-reads the discarded range from DynamoDB Local's stream and processes exactly those records", async () => {
    const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const destination = await stack.createQueue();
    for (let n = 1; n <= 6; n++) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            PK: { S: `CUSTOMER#${n}` },
            SK: { S: `ORDER#${n}` },
            total: { N: String(n === 4 ? -4 : n) },
          },
        }),
      );
    }

    // Fails permanently on the order with a negative total, reporting it as Lambda expects.
    const broken = async (event: DynamoDBStreamEvent) => {
      for (const record of event.Records) {
        const total = record.dynamodb?.NewImage?.total;
        if (total && "N" in total && Number(total.N) < 0) {
          return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
        }
      }
      return { batchItemFailures: [] };
    };
    const mapping = createEventSourceMapping({
      tableName: table.tableName,
      clients: { streams, dynamodb, sqs },
      handler: broken,
      functionName: "orders-stream",
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: destination.queueArn } },
    });
    await mapping.start();
    await mapping.waitForIdle();
    await mapping.stop();
    expect(mapping.destinationMessages).toHaveLength(1);
    expect(await queueDepth(sqs, destination.queueUrl)).toBe(1);

    const info = mapping.destinationMessages[0]!.DDBStreamBatchInfo;
    const [shard] = await readWholeStream(streams, table.streamArn!);
    const inRange = shard!.records.filter(
      (r) =>
        compareSequenceNumbers(r.dynamodb!.SequenceNumber!, info.startSequenceNumber) >= 0 &&
        compareSequenceNumbers(r.dynamodb!.SequenceNumber!, info.endSequenceNumber) <= 0,
    );
    expect(inRange.map((r) => r.dynamodb!.Keys!.PK)).toContainEqual({ S: "CUSTOMER#4" });
    expect(inRange).toHaveLength(info.batchSize);

    const replayed: string[] = [];
    const fixed = handlerTarget(async (event) => {
      replayed.push(...event.Records.map((r) => r.eventID!));
      return { batchItemFailures: [] };
    });
    const source = () =>
      lambdaSqsSource({ sqs, streams, queueUrl: destination.queueUrl, waitTimeSeconds: 1 });
    const summary = await replay({ source: source(), target: fixed });
    expect(summary).toMatchObject({ messages: 1, replayed: info.batchSize, expired: 0 });
    expect(replayed).toEqual(inRange.map((r) => r.eventID));
    expect(await queueDepth(sqs, destination.queueUrl)).toBe(0);
    expect(await replay({ source: source(), target: fixed })).toMatchObject({ messages: 0 });
  });
});
