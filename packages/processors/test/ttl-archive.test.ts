import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { compilePattern } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { type DynamoDBStreamRecord, decodeLambdaEvent } from "@sluice/records";
import { type DeadLetter, streamHandler } from "@sluice/runtime";
import { streamRecord } from "@sluice/testing";
import { describe, expect, it } from "vitest";
import { readAuditArchive } from "../src/audit-archive/index.js";
import { publishedEventId } from "../src/publish-events/index.js";
import { ttlArchive, ttlFilterCriteria } from "../src/ttl-archive/index.js";
import {
  busToQueue,
  collect,
  faultyS3,
  lambdaContext,
  objectKeys,
  quiet,
} from "./audit-archive.helpers.js";

const stack = useLocalStack();
const BIG = "12345678901234567890123456789012345678";
const NOW = Date.parse("2026-11-21T10:00:00Z");
const range = { since: new Date(NOW - 3_600_000), until: new Date(NOW + 3_600_000) };
const past = String(NOW / 1000 - 60);
const future = String(NOW / 1000 + 3_600);

const cart = (sku: string) => ({ PK: { S: "CART#c-1" }, SK: { S: `ITEM#${sku}` } });
const item = (sku: string, expiresAt: string) => ({
  ...cart(sku),
  qty: { N: "2" },
  price: { N: BIG },
  expiresAt: { N: expiresAt },
});

/** A batch of every kind of change; exactly `tea` (the service deleted it) and `jam` expired. */
function mixedBatch(): DynamoDBStreamRecord[] {
  const at = { createdAt: NOW / 1000 };
  return [
    streamRecord({ index: 1, keys: cart("tea"), newImage: item("tea", past), ...at }),
    streamRecord({
      index: 2,
      keys: cart("tea"),
      oldImage: item("tea", past),
      newImage: item("tea", future),
      ...at,
    }),
    streamRecord({ index: 3, keys: cart("cup"), oldImage: item("cup", future), ...at }),
    streamRecord({ index: 4, keys: cart("tea"), oldImage: item("tea", past), ttl: true, ...at }),
    // A global table replica: a plain REMOVE whose TTL has passed.
    streamRecord({ index: 5, keys: cart("jam"), oldImage: item("jam", past), ...at }),
    streamRecord({ index: 6, keys: cart("pot"), oldImage: item("pot", future), ...at }),
  ];
}

/** The stack's EventBridge, keeping the Detail text of every entry sent. */
function recordingEventBridge() {
  const client = new EventBridgeClient({
    region: stack.config.region,
    credentials: stack.config.credentials,
    endpoint: stack.config.endpoints.eventbridge!,
  });
  const details: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const { Entries = [] } = (args as { input: { Entries?: { Detail?: string }[] } }).input;
      details.push(...Entries.map((entry) => entry.Detail ?? ""));
      return next(args);
    },
    { step: "initialize", name: "recordDetails" },
  );
  return { client, details };
}

describe("ttlArchive", () => {
  it("archives only TTL deletions (the service's identity, or an expired TTL attribute on a replica) in the audit archive's format", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    const handler = streamHandler({
      pipeline: "shop",
      decode: { ttlAttribute: "expiresAt", now: () => NOW },
      processors: [ttlArchive({ s3, bucket: bucketName })],
      metrics: false,
      logger: quiet,
    });
    expect(await handler({ Records: mixedBatch() }, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    const keys = await objectKeys(s3, bucketName);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^expired\/table=Orders\/dt=2026-11-21\/hour=10\/.+\.jsonl\.gz$/);
    const archived = await collect(
      readAuditArchive({ s3, bucket: bucketName, prefix: "expired", ...range }),
    );
    expect(archived.map((c) => [c.kind, c.kind === "remove" && c.cause, c.keys.SK])).toEqual([
      ["remove", "ttl", "ITEM#tea"],
      ["remove", "ttl", "ITEM#jam"],
    ]);
    expect(archived[0]!.raw.dynamodb!.OldImage).toEqual(item("tea", past));
  });

  it("dead-letters a TTL deletion whose stream carries no old image", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    const letters: DeadLetter[] = [];
    const handler = streamHandler({
      pipeline: "shop",
      processors: [ttlArchive({ s3, bucket: bucketName })],
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: quiet,
    });
    const record = streamRecord({
      keys: cart("tea"),
      eventName: "REMOVE",
      viewType: "KEYS_ONLY",
      ttl: true,
    });
    expect(await handler({ Records: [record] }, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(letters.map((l) => l.error)).toMatchObject([
      { class: "permanent", name: "TtlArchiveError", code: "MISSING_OLD_IMAGE" },
    ]);
    expect(await objectKeys(s3, bucketName)).toEqual([]);
  });

  it("announces each archived item with an ItemExpired event whose detail keeps every digit", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    const { eventBusName, queueUrl } = await busToQueue(stack);
    const eventbridge = recordingEventBridge();
    const handler = streamHandler({
      pipeline: "shop",
      decode: { ttlAttribute: "expiresAt", now: () => NOW },
      processors: [
        ttlArchive({
          s3,
          bucket: bucketName,
          events: { client: eventbridge.client, eventBusName, source: "shop.carts" },
        }),
      ],
      metrics: false,
      logger: quiet,
    });
    const batch = mixedBatch();
    expect(await handler({ Records: batch }, lambdaContext())).toEqual({ batchItemFailures: [] });
    // What goes to EventBridge has every digit (the local bus re-serialises it as a double).
    expect(eventbridge.details).toHaveLength(2);
    for (const detail of eventbridge.details) expect(detail).toContain(`"price":${BIG}`);
    const messages = await stack.receiveMessages(queueUrl, 2);
    const events = messages.map((m) => JSON.parse(m.Body!));
    const { events: changes } = decodeLambdaEvent(
      { Records: batch },
      { ttlAttribute: "expiresAt", now: () => NOW },
    );
    expect(events.sort((a, b) => a.detail.keys.SK.localeCompare(b.detail.keys.SK))).toMatchObject(
      [changes[4]!, changes[3]!].map((change) => ({
        source: "shop.carts",
        "detail-type": "ItemExpired",
        time: "2026-11-21T10:00:00Z",
        resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"],
        detail: {
          table: "Orders",
          keys: { PK: "CART#c-1", SK: change.keys.SK },
          item: { qty: 2, expiresAt: Number(past) },
          deletedAt: "2026-11-21T10:00:00.000Z",
          "sluice-event-id": publishedEventId(change, "ItemExpired", 0),
        },
      })),
    );
  });

  it("reports an event EventBridge cannot take now for redelivery without archiving the item twice, and dead-letters one it refuses", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3, calls } = faultyS3(stack.config);
    const letters: DeadLetter[] = [];
    const run = (eventBusName: string, detailType?: string) =>
      streamHandler({
        pipeline: "shop",
        retry: { maxAttempts: 3, baseDelayMs: 1 },
        processors: [
          ttlArchive({
            s3,
            bucket: bucketName,
            events: {
              client: stack.clients.eventbridge,
              eventBusName,
              ...(detailType !== undefined && { detailType }),
              retry: { maxAttempts: 1 },
            },
          }),
        ],
        deadLetter: async (batch) => {
          letters.push(...batch);
        },
        metrics: false,
        logger: quiet,
      });
    const expired = mixedBatch()[3]!;
    // No such bus: may exist after a deploy, so the record waits for redelivery.
    expect(await run("missing-bus")({ Records: [expired] }, lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: expired.dynamodb!.SequenceNumber }],
    });
    expect(calls.get("PutObject")).toBe(1);
    expect(letters).toEqual([]);
    // An entry EventBridge refuses (no detail-type) fails the same way every time.
    const { eventBusName } = await busToQueue(stack);
    expect(await run(eventBusName, "")({ Records: [expired] }, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(letters.map((l) => l.error)).toMatchObject([
      { class: "permanent", name: "TtlArchiveError", code: "EVENT_REJECTED" },
    ]);
  });
});

describe("ttlFilterCriteria", () => {
  it("is Lambda's FilterCriteria that lets through TTL deletions and nothing else", () => {
    expect(ttlFilterCriteria).toEqual({
      Filters: [
        {
          Pattern: '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}',
        },
      ],
    });
    const matches = compilePattern(ttlFilterCriteria.Filters[0].Pattern);
    expect(mixedBatch().map((record) => matches(record))).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
    ]);
  });
});
