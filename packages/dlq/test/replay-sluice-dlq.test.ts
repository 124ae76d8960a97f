import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { HeadObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { createEventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import type { ChangeEvent } from "@sluice/records";
import { PoisonRecordError, streamHandler } from "@sluice/runtime";
import { describe, expect, it } from "vitest";
import {
  eventBridgeDeadLetterRouter,
  handlerTarget,
  type ReplayEvent,
  replay,
  sluiceSqsSource,
  sqsDeadLetterRouter,
  toEnvelope,
} from "../src/index.js";
import { deadLetter } from "./fixtures.js";
import { queueDepth, readWholeStream } from "./stream-helpers.js";

const stack = useLocalStack();
const { dynamodb, streams, sqs, s3 } = stack.clients;
const quiet = { logger: { sink: () => {} }, metrics: false as const };

/** Orders 1..8; 2 and 5 have a negative total, 7 too and carries 100 KB of notes. */
async function writeOrders(tableName: string) {
  for (let n = 1; n <= 8; n++) {
    const total = [2, 5, 7].includes(n) ? -n : n * 10;
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          PK: { S: `CUSTOMER#${n}` },
          SK: { S: `ORDER#${n}` },
          total: { N: String(total) },
          ...(n === 7 && { notes: { S: "n".repeat(100_000) } }),
        },
      }),
    );
  }
}

async function objectKeys(bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

function validate(change: ChangeEvent) {
  if (Number(change.newImage?.total) < 0) {
    throw Object.assign(
      new PoisonRecordError(`order total ${change.newImage?.total} is negative`),
      {
        code: "NEGATIVE_TOTAL",
      },
    );
  }
}

describe("replay from a sluice DLQ on SQS", () => {
  it("brings every dead-lettered record through once the handler is fixed; a second replay does nothing", async () => {
    const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "65536" } });
    const { bucketName } = await stack.createBucket();
    await writeOrders(table.tableName);
    const [shard] = await readWholeStream(streams, table.streamArn!);
    expect(shard!.records).toHaveLength(8);

    // The pipeline: the local event source mapping invokes the handler as Lambda would.
    const broken = streamHandler({
      pipeline: "orders",
      processor: "daily-sales",
      handle: validate,
      deadLetter: sqsDeadLetterRouter({
        sqs,
        queueUrl: queue.queueUrl,
        claimCheck: { s3, bucket: bucketName },
      }),
      ...quiet,
    });
    const mapping = createEventSourceMapping({
      tableName: table.tableName,
      clients: { streams, dynamodb },
      handler: broken,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 5,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    await mapping.start();
    await mapping.waitForIdle();
    await mapping.stop();
    expect(mapping.stats()).toMatchObject({ recordsSucceeded: 8, recordsDiscarded: 0 });
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(3);
    // Order 7 is over the queue's 64 KiB: its envelope went to S3.
    expect(await objectKeys(bucketName)).toHaveLength(1);
    const badIds = shard!.records
      .filter((r) => {
        const pk = r.dynamodb!.Keys!.PK!;
        return "S" in pk && ["CUSTOMER#2", "CUSTOMER#5", "CUSTOMER#7"].includes(pk.S);
      })
      .map((r) => r.eventID!);

    // Still broken: every record fails again and every message stays.
    const stillBroken = streamHandler({
      pipeline: "orders",
      processor: "daily-sales",
      handle: validate,
      ...quiet,
    });
    const source = () => sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 });
    const failing = await replay({ source: source(), target: handlerTarget(stillBroken) });
    expect(failing).toMatchObject({ messages: 3, replayed: 0, failedAgain: 3 });
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(3);

    // Fixed: the records come through exactly as they were received.
    const applied: string[] = [];
    const fixed = streamHandler({
      pipeline: "orders",
      processor: "daily-sales",
      handle: (change) => {
        applied.push(change.meta.eventId);
      },
      ...quiet,
    });
    const events: ReplayEvent[] = [];
    const summary = await replay({
      source: source(),
      target: handlerTarget(fixed),
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ messages: 3, replayed: 3, failedAgain: 0, malformed: 0 });
    expect(applied.sort()).toEqual(badIds.sort());
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
    expect(await objectKeys(bucketName)).toEqual([]);

    const again = await replay({ source: source(), target: handlerTarget(fixed) });
    expect(again).toMatchObject({ messages: 0, replayed: 0 });
    expect(applied).toHaveLength(3);
  });

  it("deletes the claim-checked object only after its record was replayed, and a second copy of the letter with it", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "65536" } });
    const { bucketName } = await stack.createBucket();
    const letter = deadLetter(1);
    letter.record.dynamodb!.NewImage!.notes = { S: "n".repeat(100_000) };
    const route = sqsDeadLetterRouter({
      sqs,
      queueUrl: queue.queueUrl,
      claimCheck: { s3, bucket: bucketName },
    });
    // Sent twice, as a resend after a lost response does on a standard queue.
    await route([letter]);
    await route([letter]);
    const [key, ...others] = await objectKeys(bucketName);
    expect(others).toEqual([]);
    const head = () => s3.send(new HeadObjectCommand({ Bucket: bucketName, Key: key }));

    const seen: unknown[] = [];
    const summary = await replay({
      source: sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 }),
      target: handlerTarget(async (event) => {
        // The object still exists while the record is being replayed.
        await head();
        seen.push(...event.Records);
        return { batchItemFailures: [] };
      }),
    });
    expect(summary).toMatchObject({ messages: 2, replayed: 1, skipped: 1, malformed: 0 });
    expect(seen).toEqual([toEnvelope(letter).record]);
    await expect(head()).rejects.toMatchObject({ name: "NotFound" });
    // The second copy is known by its envelope id, so its payload is never fetched.
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
  });
});

describe("replay of RecordFailed events a rule delivered to a queue", () => {
  it("reads the envelope out of each event, claim-checked ones included", async () => {
    const { eventbridge } = stack.clients;
    const busName = stack.uniqueName("bus");
    await eventbridge.send(new CreateEventBusCommand({ Name: busName }));
    const queue = await stack.createQueue();
    const { bucketName } = await stack.createBucket();
    await eventbridge.send(
      new PutRuleCommand({
        Name: "failed",
        EventBusName: busName,
        EventPattern: JSON.stringify({ "detail-type": ["RecordFailed"] }),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: "failed",
        EventBusName: busName,
        Targets: [{ Id: "q", Arn: queue.queueArn }],
      }),
    );
    const big = deadLetter(2);
    big.record.dynamodb!.NewImage!.notes = { S: "n".repeat(60_000) };
    await eventBridgeDeadLetterRouter({
      eventBridge: eventbridge,
      eventBusName: busName,
      maxEntryBytes: 50_000,
      claimCheck: { s3, bucket: bucketName },
    })([deadLetter(1), big]);

    const seen: unknown[] = [];
    const summary = await replay({
      source: sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 }),
      target: handlerTarget(async (event) => {
        seen.push(...event.Records);
        return { batchItemFailures: [] };
      }),
    });
    expect(summary).toMatchObject({ replayed: 2, malformed: 0 });
    expect(seen).toContainEqual(toEnvelope(big).record);
    expect(seen).toContainEqual(toEnvelope(deadLetter(1)).record);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
  });
});
