import { createHash } from "node:crypto";
import { CreateTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { type ChangeEvent, type DynamoDBStreamRecord, decodeLambdaEvent } from "@sluice/records";
import {
  checkpointTableInput,
  createLogger,
  type DeadLetter,
  DynamoDBCheckpointStore,
  streamHandler,
} from "@sluice/runtime";
import { afterEach, describe, expect, it } from "vitest";
import {
  publishEvents,
  publishedEventId,
  SLUICE_EVENT_ID_KEY,
} from "../src/publish-events/index.js";
import {
  createTestBus,
  envelopes,
  ORDER_STATUSES,
  type Order,
  orderEvents,
  recordingClient,
} from "./publish-events.fixtures.js";

const local = useLocalStack();
const SOURCE = "shop.orders";
const mappings: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
});

/** One write of the history: an order's full image at a version. */
interface Write {
  orderId: string;
  version: number;
  status: string;
  total: number;
}

/** Each order's statuses; "lost" is not a status of the shop (poison), a repeat changes only the total. */
const PATHS = [
  ["pending", "paid", "shipped", "delivered"],
  ["pending", "paid", "paid", "shipped"],
  ["pending", "cancelled"],
  ["pending", "paid", "lost", "delivered"],
];
const ORDERS = 12;
/** EventBridge rejects the events of this change (order, version). */
const REJECTED = { orderId: "o4", version: 2 };

function history(): Write[] {
  const writes: Write[] = [];
  for (let version = 0; version < 4; version++) {
    for (let i = 0; i < ORDERS; i++) {
      const status = PATHS[i % PATHS.length]![version];
      if (status) writes.push({ orderId: `o${i}`, version, status, total: 10 + i + version });
    }
  }
  return writes;
}

/** The events the history calls for, keyed by the change that makes them. */
function expectedEvents(writes: Write[]) {
  const expected: { orderId: string; version: number; detailType: string; index: number }[] = [];
  const poison: Write[] = [];
  const rejected: Write[] = [];
  for (const write of writes) {
    const before = writes.find(
      (w) => w.orderId === write.orderId && w.version === write.version - 1,
    );
    if (!before || before.status === write.status) continue;
    if (!ORDER_STATUSES.includes(write.status)) {
      poison.push(write);
      continue;
    }
    if (write.orderId === REJECTED.orderId && write.version === REJECTED.version) {
      rejected.push(write);
      continue;
    }
    const change = { orderId: write.orderId, version: write.version };
    expected.push({ ...change, detailType: "OrderStatusChanged", index: 0 });
    if (write.status === "shipped")
      expected.push({ ...change, detailType: "OrderShipped", index: 1 });
  }
  return { expected, poison, rejected };
}

/** A cheap stable hash, to pick the entries that get faults. */
const bucket = (text: string, buckets: number) =>
  createHash("sha256").update(text).digest().readUInt32BE(0) % buckets;

describe("publishEvents end to end", () => {
  it("through the mapping with checkpoints, throttling, lost responses, a crash, poison and a rejected event: every expected event arrives once by id", async () => {
    const table = await local.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const checkpointTable = local.uniqueName("checkpoints");
    // No TTL on test tables: DynamoDB Local's TTL sweep slows down for every TTL table in the run.
    await local.clients.dynamodb.send(
      new CreateTableCommand(checkpointTableInput(checkpointTable)),
    );
    const bus = await createTestBus(local, SOURCE);

    // Faults a server cannot be made to produce: an entry throttled three times (more than one
    // invocation retries, so the change is redelivered), every 7th call's response lost after
    // the server applied it, and the rejected change's entries refused as invalid.
    const throttled = new Map<string, number>();
    const { client, received, lostCalls } = recordingClient(local, {
      entry: (entry) => {
        const detail = JSON.parse(entry.Detail!) as Record<string, unknown>;
        if (detail.orderId === REJECTED.orderId && detail.version === REJECTED.version) {
          return "InvalidArgument";
        }
        const id = detail[SLUICE_EVENT_ID_KEY] as string;
        if (bucket(id, 4) !== 0 || (throttled.get(id) ?? 0) >= 3) return undefined;
        throttled.set(id, (throttled.get(id) ?? 0) + 1);
        return "ThrottlingException";
      },
      loseResponse: (call) => call % 7 === 3,
    });

    const letters: DeadLetter[] = [];
    const inner = streamHandler<Order>({
      pipeline: "shop",
      ordering: "per-item",
      processors: [
        publishEvents<Order>({
          name: "order-events",
          client,
          eventBusName: bus.eventBusName,
          source: SOURCE,
          events: orderEvents,
          retry: { maxAttempts: 2, baseDelayMs: 1 },
        }),
      ],
      checkpoints: new DynamoDBCheckpointStore({
        client: local.clients.dynamodb,
        tableName: checkpointTable,
      }),
      retry: { maxAttempts: 1 },
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      logger: createLogger({ sink: () => {} }),
      metrics: false,
    });
    // The container dies once right after a batch went through: Lambda delivers it again.
    let crashed = false;
    const mapping = createEventSourceMapping({
      streamArn: table.streamArn!,
      clients: local.clients,
      handler: async (event, context) => {
        const response = await inner(event, context);
        if (!crashed && event.Records.length >= 5) {
          crashed = true;
          throw new Error("Runtime exited after the batch");
        }
        return response;
      },
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 15,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      timeout: 10,
    });
    mappings.push(mapping);
    await mapping.start();

    const writes = history();
    for (const write of writes) {
      await local.clients.dynamodb.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: {
            PK: { S: "CUSTOMER#c1" },
            SK: { S: `ORDER#${write.orderId}` },
            orderId: { S: write.orderId },
            customerId: { S: "c1" },
            status: { S: write.status },
            total: { N: String(write.total) },
            version: { N: String(write.version) },
          },
        }),
      );
    }
    await mapping.waitForIdle({ timeoutMs: 25_000 });

    // The stream's records, as the mapping read them, name each write's eventID.
    const records = new Map<string, DynamoDBStreamRecord>();
    for (const invocation of mapping.invocations) {
      for (const record of invocation.event.Records) records.set(record.eventID!, record);
    }
    const { events: changes } = decodeLambdaEvent<Order>({ Records: [...records.values()] });
    expect(changes).toHaveLength(writes.length);
    const changeOf = (orderId: string, version: number) =>
      changes.find((c) => c.newImage?.orderId === orderId && c.newImage.version === version)!;

    const { expected, poison, rejected } = expectedEvents(writes);
    const expectedIds = new Map(
      expected.map((e) => [
        publishedEventId(changeOf(e.orderId, e.version), e.detailType, e.index),
        e,
      ]),
    );

    // How often the server took each id. Again only after a lost response, or when a sibling
    // event of the same change failed for now and the change was redelivered.
    const siblingFailed = (id: string) => {
      const own = expectedIds.get(id);
      return [...expectedIds].some(
        ([other, e]) =>
          other !== id &&
          e.orderId === own?.orderId &&
          e.version === own.version &&
          throttled.has(other),
      );
    };
    const taken = new Map<string, number>();
    const lostOnce = new Set<string>();
    for (const call of received) {
      for (const entry of call.entries) {
        const id = JSON.parse(entry.Detail!)[SLUICE_EVENT_ID_KEY] as string;
        if (taken.has(id) && !lostOnce.has(id) && !siblingFailed(id)) {
          throw new Error(`Event ${id} was put again without a lost response or failed sibling`);
        }
        taken.set(id, (taken.get(id) ?? 0) + 1);
        if (call.lost) lostOnce.add(id);
      }
    }

    // Wait for every copy the server took, not one message per id: a copy put again after a lost
    // response can arrive before another id's only copy.
    const copies = [...taken.values()].reduce((sum, count) => sum + count, 0);
    const delivered = envelopes(await bus.receiveAll("all", Math.max(copies, expectedIds.size)));
    const arrivals = new Map<string, number>();
    for (const event of delivered) {
      const id = event.detail[SLUICE_EVENT_ID_KEY];
      arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      const want = expectedIds.get(id);
      expect(want, `unexpected event ${JSON.stringify(event.detail)}`).toBeDefined();
      expect([event["detail-type"], event.detail.orderId, event.detail.version]).toEqual([
        want!.detailType,
        want!.orderId,
        want!.version,
      ]);
    }
    // Every expected id arrived, and as many times as the server took it: once, or again after
    // a lost response, which a consumer drops by the id.
    expect([...arrivals.keys()].sort()).toEqual([...expectedIds.keys()].sort());
    for (const [id, count] of arrivals) expect(count, id).toBe(taken.get(id));
    const shipped = envelopes(await bus.receiveAll("shipped", 1));
    expect(new Set(shipped.map((e) => e.detail[SLUICE_EVENT_ID_KEY]))).toEqual(
      new Set(
        [...expectedIds].filter(([, e]) => e.detailType === "OrderShipped").map(([id]) => id),
      ),
    );

    // Poison and the rejected change are dead-lettered, once each; nothing went to the mapping's
    // on-failure path.
    const lettered = letters.map((letter) => letter.record.eventID).sort();
    const wantLettered = [...poison, ...rejected]
      .map((w) => changeOf(w.orderId, w.version).meta.eventId)
      .sort();
    expect(lettered).toEqual(wantLettered);
    expect(mapping.destinationMessages).toEqual([]);

    // The faults did happen.
    expect(crashed).toBe(true);
    expect(lostCalls.length).toBeGreaterThan(0);
    expect(lostOnce.size).toBeGreaterThan(0);
    expect([...throttled.values()].filter((n) => n === 3).length).toBeGreaterThan(0);
    const delivery = (change: ChangeEvent<Order>) =>
      mapping.invocations.filter((i) =>
        i.event.Records.some((r) => r.eventID === change.meta.eventId),
      ).length;
    expect(changes.some((change) => delivery(change) > 1)).toBe(true);
  });
});
