import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
  claim,
  DeadLetterDeliveryError,
  eventBridgeDeadLetterRouter,
  parseDeadLetterMessage,
  parseEnvelope,
  s3DeadLetterRouter,
  sqsDeadLetterRouter,
  toEnvelope,
} from "../src/index.js";
import { deadLetter, streamRecord } from "./fixtures.js";
import { eventBridgeFailingEntriesOnce, sqsFailingEntriesOnce } from "./local-clients.js";
import { queueDepth } from "./stream-helpers.js";

const stack = useLocalStack();
const { sqs, s3 } = stack.clients;

/** A dead letter whose record carries `bytes` of text, to cross size limits. */
function bigLetter(n: number, bytes: number) {
  const record = streamRecord(n);
  record.dynamodb!.NewImage = { ...record.dynamodb!.NewImage, notes: { S: "x".repeat(bytes) } };
  return deadLetter(n, { record });
}

async function objectKeys(bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

describe("SQS router", () => {
  it("sends one envelope per message with filtering attributes, in batches of ten", async () => {
    const queue = await stack.createQueue();
    const route = sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl });
    const letters = Array.from({ length: 23 }, (_, i) => deadLetter(i));
    await route(letters);
    const messages = await stack.receiveMessages(queue.queueUrl, 23);
    const envelopes = messages.map((m) => parseEnvelope(m.Body!));
    expect(envelopes.map((e) => e.id).sort()).toEqual(letters.map((l) => toEnvelope(l).id).sort());
    expect(messages[0]!.MessageAttributes).toEqual({
      pipeline: { DataType: "String", StringValue: "orders" },
      processor: { DataType: "String", StringValue: "daily-sales" },
      errorClass: { DataType: "String", StringValue: "permanent" },
      errorCode: { DataType: "String", StringValue: "INVALID_TOTAL" },
    });
  });

  it("sends an envelope over the queue's limit to S3 and a pointer through the queue", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "65536" } });
    const { bucketName } = await stack.createBucket();
    const route = sqsDeadLetterRouter({
      sqs,
      queueUrl: queue.queueUrl,
      claimCheck: { s3, bucket: bucketName },
    });
    const big = bigLetter(1, 100_000);
    await route([big, deadLetter(2)]);
    const messages = await stack.receiveMessages(queue.queueUrl, 2);
    const parsed = messages.map((m) => parseDeadLetterMessage(m.Body!));
    const pointer = parsed.find((p) => "claimCheck" in p);
    expect(pointer && "claimCheck" in pointer).toBe(true);
    if (!pointer || !("claimCheck" in pointer)) return;
    expect(pointer.claimCheck.bucket).toBe(bucketName);
    expect(pointer.claimCheck.bytes).toBeGreaterThan(65536);
    expect(await claim(s3, pointer)).toEqual(toEnvelope(big));
    expect(parsed.filter((p) => !("claimCheck" in p))).toEqual([toEnvelope(deadLetter(2))]);
  });

  it("fails with the queue named when an envelope is over the limit and there is no claim check", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "65536" } });
    const route = sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl });
    const error = await route([bigLetter(1, 100_000)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect((error as Error).message).toContain(queue.queueUrl);
    expect((error as Error).message).toContain("claimCheck");
  });

  it("names the claim-check bucket when the oversized envelope cannot be stored there", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "65536" } });
    const route = sqsDeadLetterRouter({
      sqs,
      queueUrl: queue.queueUrl,
      claimCheck: { s3, bucket: "no-such-claim-check-bucket" },
    });
    const error = (await route([bigLetter(1, 100_000)]).catch(
      (e: unknown) => e,
    )) as DeadLetterDeliveryError;
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect(error.destination).toBe("S3 bucket no-such-claim-check-bucket (claim check)");
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
  });

  it("reports entries the queue itself refuses (a stated limit above the queue's) as a delivery error", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "4096" } });
    const route = sqsDeadLetterRouter({
      sqs,
      queueUrl: queue.queueUrl,
      maxMessageBytes: 1_048_576,
    });
    const error = (await route([deadLetter(1), bigLetter(2, 8000)]).catch(
      (e: unknown) => e,
    )) as DeadLetterDeliveryError;
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect(error.destination).toContain(queue.queueUrl);
    expect(error.failed).toHaveLength(1);
    expect(error.failed[0]!.code).toBe("InvalidParameterValue");
    // The entry the queue took is stored; the runtime redelivers the refused one.
    const [stored] = await stack.receiveMessages(queue.queueUrl, 1);
    expect(parseEnvelope(stored!.Body!).id).toBe(toEnvelope(deadLetter(1)).id);
  });

  it("resends entries that failed in a batch (faults injected by a client middleware)", async () => {
    const queue = await stack.createQueue();
    const failing = sqsFailingEntriesOnce(stack, (body) => /event-(3|7)"/.test(body));
    const route = sqsDeadLetterRouter({
      sqs: failing,
      queueUrl: queue.queueUrl,
      retry: { baseDelayMs: 1 },
    });
    const letters = Array.from({ length: 10 }, (_, i) => deadLetter(i));
    // Without a resend, the injected faults surface: the fault is real.
    const once = sqsDeadLetterRouter({
      sqs: sqsFailingEntriesOnce(stack, (body) => /event-(3|7)"/.test(body)),
      queueUrl: (await stack.createQueue()).queueUrl,
      retry: { attempts: 1 },
    });
    const error = (await once(letters).catch((e: unknown) => e)) as DeadLetterDeliveryError;
    expect(error.failed.map((f) => f.code)).toEqual(["InternalError", "InternalError"]);
    await route(letters);
    const messages = await stack.receiveMessages(queue.queueUrl, 10);
    const ids = messages.map((m) => parseEnvelope(m.Body!).id).sort();
    expect(ids).toEqual(letters.map((l) => toEnvelope(l).id).sort());
  });
});

describe("S3 router", () => {
  it("writes one object per envelope under keys a retry overwrites", async () => {
    const { bucketName } = await stack.createBucket();
    const route = s3DeadLetterRouter({ s3, bucket: bucketName });
    await route([deadLetter(1), deadLetter(2)]);
    await route([deadLetter(1, { attempts: 2 })]);
    const keys = await objectKeys(bucketName);
    const ids = [1, 2].map((n) => toEnvelope(deadLetter(n)).id);
    expect(keys).toEqual(ids.map((id) => `sluice-dlq/orders/daily-sales/${id}.json`).sort());
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: bucketName,
        Key: `sluice-dlq/orders/daily-sales/${ids[0]}.json`,
      }),
    );
    expect(parseEnvelope(await object.Body!.transformToString()).attempts).toBe(2);
  });

  it("writes one JSON Lines object per batch and processor, the same key on retry", async () => {
    const { bucketName } = await stack.createBucket();
    const route = s3DeadLetterRouter({ s3, bucket: bucketName, layout: "batch", prefix: "dlq/" });
    const letters = [deadLetter(1), deadLetter(2), deadLetter(3, { processor: "search" })];
    await route(letters);
    await route(letters);
    const keys = await objectKeys(bucketName);
    expect(keys).toHaveLength(2);
    expect(
      keys.every((k) => /^dlq\/orders\/(daily-sales|search)\/batch-[0-9a-f]{32}\.jsonl$/.test(k)),
    ).toBe(true);
    const sales = keys.find((k) => k.includes("daily-sales"))!;
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: bucketName, Key: sales }))
    ).Body!.transformToString();
    expect(
      body
        .trim()
        .split("\n")
        .map((line) => parseEnvelope(line).id),
    ).toEqual(letters.slice(0, 2).map((l) => toEnvelope(l).id));
  });

  it("names the bucket when it cannot write", async () => {
    const route = s3DeadLetterRouter({
      s3,
      bucket: "no-such-bucket-sluice",
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const error = await route([deadLetter(1)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    expect((error as Error).message).toContain("no-such-bucket-sluice");
  });
});

describe("EventBridge router", () => {
  async function busToQueue() {
    const { eventbridge } = stack.clients;
    const busName = stack.uniqueName("bus");
    await eventbridge.send(new CreateEventBusCommand({ Name: busName }));
    const queue = await stack.createQueue();
    await eventbridge.send(
      new PutRuleCommand({
        Name: "failed-records",
        EventBusName: busName,
        EventPattern: JSON.stringify({ source: ["sluice"], "detail-type": ["RecordFailed"] }),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: "failed-records",
        EventBusName: busName,
        Targets: [{ Id: "queue", Arn: queue.queueArn }],
      }),
    );
    return { busName, queue };
  }

  it("puts a RecordFailed event per envelope on the bus", async () => {
    const { busName, queue } = await busToQueue();
    const route = eventBridgeDeadLetterRouter({
      eventBridge: stack.clients.eventbridge,
      eventBusName: busName,
    });
    const letters = Array.from({ length: 12 }, (_, i) => deadLetter(i));
    await route(letters);
    const messages = await stack.receiveMessages(queue.queueUrl, 12);
    const events = messages.map((m) => JSON.parse(m.Body!));
    expect(events.every((e) => e["detail-type"] === "RecordFailed" && e.source === "sluice")).toBe(
      true,
    );
    expect(events.map((e) => e.detail.id).sort()).toEqual(
      letters.map((l) => toEnvelope(l).id).sort(),
    );
  });

  it("sends a pointer in the detail when the envelope is over the entry limit", async () => {
    const { busName, queue } = await busToQueue();
    const { bucketName } = await stack.createBucket();
    const route = eventBridgeDeadLetterRouter({
      eventBridge: stack.clients.eventbridge,
      eventBusName: busName,
      maxEntryBytes: 50_000,
      claimCheck: { s3, bucket: bucketName },
    });
    const big = bigLetter(1, 60_000);
    await route([big]);
    const [message] = await stack.receiveMessages(queue.queueUrl, 1);
    const pointer = parseDeadLetterMessage(JSON.stringify(JSON.parse(message!.Body!).detail));
    expect("claimCheck" in pointer).toBe(true);
    if ("claimCheck" in pointer) expect(await claim(s3, pointer)).toEqual(toEnvelope(big));
  });

  it("resends entries that failed in a PutEvents call (faults injected by a client middleware)", async () => {
    const { busName, queue } = await busToQueue();
    const failing = eventBridgeFailingEntriesOnce(stack, (detail) => /event-(2|5)"/.test(detail));
    const route = eventBridgeDeadLetterRouter({
      eventBridge: failing,
      eventBusName: busName,
      retry: { baseDelayMs: 1 },
    });
    const letters = Array.from({ length: 8 }, (_, i) => deadLetter(i));
    const once = eventBridgeDeadLetterRouter({
      eventBridge: eventBridgeFailingEntriesOnce(stack, (detail) => /event-(2|5)"/.test(detail)),
      eventBusName: (await busToQueue()).busName,
      retry: { attempts: 1 },
    });
    const error = (await once(letters).catch((e: unknown) => e)) as DeadLetterDeliveryError;
    expect(error.failed.map((f) => f.code)).toEqual(["InternalFailure", "InternalFailure"]);
    await route(letters);
    const messages = await stack.receiveMessages(queue.queueUrl, 8);
    expect(messages.map((m) => JSON.parse(m.Body!).detail.id).sort()).toEqual(
      letters.map((l) => toEnvelope(l).id).sort(),
    );
  });
});
