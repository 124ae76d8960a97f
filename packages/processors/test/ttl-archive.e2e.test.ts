import {
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue as SdkAttributeValue,
} from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { eventually, ttlSweepTimeoutMs, useLocalStack } from "@sluice/local/testing";
import { decodeImage } from "@sluice/records";
import { afterEach, describe, expect, it } from "vitest";
import { readAuditArchive } from "../src/audit-archive/index.js";
import { ttlArchive, ttlFilterCriteria } from "../src/ttl-archive/index.js";
import { busToQueue, checkpointedHandler, collect, faultyS3 } from "./audit-archive.helpers.js";

const stack = useLocalStack();
const mappings: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop()));
});

const BIG = "12345678901234567890123456789012345678";

/** The stack's EventBridge, failing its first PutEvents call before it is sent. */
function flakyEventBridge() {
  const client = new EventBridgeClient({
    region: stack.config.region,
    credentials: stack.config.credentials,
    endpoint: stack.config.endpoints.eventbridge!,
  });
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      if (++calls === 1) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      return next(args);
    },
    { step: "initialize", name: "failFirstCall" },
  );
  return { client, calls: () => calls };
}

describe("ttlArchive end to end", () => {
  // DynamoDB Local's TTL sweep can take long in a busy run (ttlSweepTimeoutMs).
  it("archives and announces every item DynamoDB Local's TTL deletes, once, and nothing else reaches the function", {
    timeout: 150_000,
  }, async () => {
    const table = await stack.createTable({
      stream: "NEW_AND_OLD_IMAGES",
      ttlAttribute: "expiresAt",
    });
    const { bucketName } = await stack.createBucket();
    const { eventBusName, queueUrl } = await busToQueue(stack);
    // The first archive object is stored but its answer is lost.
    const { s3, injected } = faultyS3(stack.config, (command, call) =>
      command === "PutObject" && call === 1 ? "after" : undefined,
    );
    const eventbridge = flakyEventBridge();
    const handler = await checkpointedHandler(
      stack,
      ttlArchive({
        s3,
        bucket: bucketName,
        events: { client: eventbridge.client, eventBusName, retry: { baseDelayMs: 1 } },
      }),
    );
    const mapping = createEventSourceMapping({
      streamArn: table.streamArn!,
      clients: stack.clients,
      handler,
      StartingPosition: "TRIM_HORIZON",
      FilterCriteria: ttlFilterCriteria,
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      timeout: 10,
    });
    mappings.push(mapping);
    await mapping.start();

    const since = new Date(Date.now() - 3_600_000);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const put = (Item: Record<string, SdkAttributeValue>) =>
      stack.clients.dynamodb.send(new PutItemCommand({ TableName: table.tableName, Item }));
    const expired = new Map<string, Record<string, SdkAttributeValue>>();
    for (let i = 0; i < 6; i++) {
      const item = {
        PK: { S: `CART#c-${i}` },
        SK: { S: "ITEM#tea" },
        price: { N: BIG },
        photo: { B: new Uint8Array([i, 255]) },
        expiresAt: { N: String(nowSeconds - 60 - i) },
      };
      expired.set(`CART#c-${i}`, item);
      await put(item);
    }
    for (let i = 0; i < 3; i++) {
      await put({
        PK: { S: `SESSION#s-${i}` },
        SK: { S: "SESSION" },
        expiresAt: { N: String(nowSeconds + 3_600) },
      });
      await put({ PK: { S: `CUSTOMER#u-${i}` }, SK: { S: "PROFILE" }, tier: { S: "gold" } });
      await put({ PK: { S: `CUSTOMER#u-${i}` }, SK: { S: "PROFILE" }, tier: { S: "silver" } });
    }
    await stack.clients.dynamodb.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: { PK: { S: "SESSION#s-0" }, SK: { S: "SESSION" } },
      }),
    );

    // DynamoDB Local deletes expired items on its own, usually within a second.
    await eventually(
      async () => {
        const { Items = [] } = await stack.clients.dynamodb.send(
          new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
        );
        return !Items.some((item) => item.PK?.S?.startsWith("CART#"));
      },
      "TTL deleted the expired carts",
      ttlSweepTimeoutMs,
    );
    const delivered = () => mapping.invocations.flatMap((i) => i.event.Records);
    await eventually(
      () => new Set(delivered().map((r) => r.eventID)).size === 6,
      "the mapping delivered the six TTL deletions",
      20_000,
    );
    await mapping.waitForIdle();
    const until = new Date(Date.now() + 3_600_000);

    // Lambda's filter let through TTL deletions only; the 16 other changes count as processed.
    for (const record of delivered()) {
      expect(record.userIdentity).toEqual({
        type: "Service",
        principalId: "dynamodb.amazonaws.com",
      });
    }
    expect(mapping.stats().recordsFiltered).toBe(16);
    expect(mapping.stats().recordsDiscarded).toBe(0);
    expect(injected).toEqual(["PutObject#1 after"]);
    expect(eventbridge.calls()).toBeGreaterThan(1);

    const archived = await collect(
      readAuditArchive({ s3, bucket: bucketName, prefix: "expired", since, until }),
    );
    expect(archived.map((c) => c.keys.PK).sort()).toEqual([...expired.keys()].sort());
    for (const change of archived) {
      expect(change).toMatchObject({ kind: "remove", cause: "ttl" });
      const written = expired.get(change.keys.PK as string)!;
      expect(change.oldImage).toEqual(
        decodeImage({
          ...written,
          photo: { B: Buffer.from(written.photo!.B!).toString("base64") },
        } as never),
      );
      expect(change.raw.dynamodb!.OldImage!.price).toEqual({ N: BIG });
    }

    // At least once on the bus; the deterministic id lets consumers drop a copy.
    const messages = await stack.receiveMessages(queueUrl, 6);
    const announced = new Map(
      messages.map((m) => {
        const event = JSON.parse(m.Body!);
        return [event.detail["sluice-event-id"], event.detail.keys.PK];
      }),
    );
    expect([...announced.values()].sort()).toEqual([...expired.keys()].sort());
  });
});
