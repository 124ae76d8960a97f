import { useLocalStack } from "@sluice/local/testing";
import { type ChangeEvent, decodeLambdaEvent } from "@sluice/records";
import {
  createLogger,
  defaultClassifier,
  PoisonRecordError,
  type ProcessContext,
  type RecordResult,
} from "@sluice/runtime";
import { streamEvent, streamRecord } from "@sluice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  PublishEventsError,
  type PublishEventsOptions,
  publishEvents,
  publishedEventId,
  SLUICE_EVENT_ID_KEY,
} from "../src/publish-events/index.js";
import {
  createTestBus,
  envelopes,
  type FaultPlan,
  type Order,
  orderEvents,
  recordingClient,
  sluiceIds,
} from "./publish-events.fixtures.js";

const local = useLocalStack();
const SOURCE = "shop.orders";
const CREATED_AT = 1_795_000_000;

const ctx = (): ProcessContext => ({
  pipeline: "shop",
  processor: "order-events",
  attempt: 1,
  signal: new AbortController().signal,
  log: createLogger({ sink: () => {} }),
});

/** One write of an order as a stream record: `from` undefined is the insert. */
interface Write {
  orderId: string;
  to: string;
  from?: string;
  version?: number;
}

const image = (orderId: string, status: string, version: number) => ({
  PK: { S: "CUSTOMER#c1" },
  SK: { S: `ORDER#${orderId}` },
  orderId: { S: orderId },
  customerId: { S: "c1" },
  status: { S: status },
  total: { N: "42.5" },
  version: { N: String(version) },
});

function changes(writes: Write[]): ChangeEvent<Order>[] {
  const records = writes.map((write, index) => {
    const version = write.version ?? index;
    const keys = { PK: { S: "CUSTOMER#c1" }, SK: { S: `ORDER#${write.orderId}` } };
    return streamRecord({
      index,
      keys,
      newImage: image(write.orderId, write.to, version),
      ...(write.from && { oldImage: image(write.orderId, write.from, version - 1) }),
      createdAt: CREATED_AT + index,
    });
  });
  const { events, failures } = decodeLambdaEvent<Order>(streamEvent(records));
  expect(failures).toEqual([]);
  return events;
}

/**
 * A fresh bus, a client that records its calls and injects `plan`'s faults, and the shop's
 * processor on them, with `options` on top.
 */
async function setup(plan: FaultPlan = {}, options: Partial<PublishEventsOptions<Order>> = {}) {
  const bus = await createTestBus(local, SOURCE);
  const recording = recordingClient(local, plan);
  const processor = publishEvents<Order>({
    name: "order-events",
    client: recording.client,
    eventBusName: bus.eventBusName,
    source: SOURCE,
    events: orderEvents,
    retry: { maxAttempts: 3, sleep: async () => {} },
    ...options,
  });
  return { bus, processor, ...recording };
}

const classOf = (result: RecordResult) =>
  result.ok ? "ok" : (defaultClassifier(result.error) ?? "unknown");
const codeOf = (result: RecordResult) =>
  result.ok ? undefined : (result.error as PublishEventsError).code;
const detailTypeAndId = (call: { DetailType?: string; Detail?: string }[]) =>
  call.map((e) => `${e.DetailType}:${JSON.parse(e.Detail!).orderId}`);

describe("publishEvents", () => {
  it("publishes OrderStatusChanged and OrderShipped with deterministic ids and the record's time", async () => {
    const { bus, processor } = await setup();
    const batch = changes([
      { orderId: "o1", to: "pending" },
      { orderId: "o1", from: "pending", to: "paid" },
      { orderId: "o1", from: "paid", to: "shipped" },
      { orderId: "o2", from: "pending", to: "pending" },
    ]);

    const results = await processor.process(batch, ctx());

    expect(results).toEqual(batch.map(() => ({ ok: true })));
    const delivered = envelopes(await bus.receive("all", 3));
    const expected = [
      { change: batch[1]!, type: "OrderStatusChanged", index: 0, detail: { to: "paid" } },
      { change: batch[2]!, type: "OrderStatusChanged", index: 0, detail: { to: "shipped" } },
      { change: batch[2]!, type: "OrderShipped", index: 1, detail: { total: 42.5 } },
    ];
    expect(delivered).toEqual(
      expected.map(({ change, type, index, detail }) =>
        expect.objectContaining({
          source: SOURCE,
          "detail-type": type,
          time: new Date((CREATED_AT + change.meta.position) * 1000)
            .toISOString()
            .replace(".000", ""),
          detail: expect.objectContaining({
            ...detail,
            orderId: "o1",
            [SLUICE_EVENT_ID_KEY]: publishedEventId(change, type, index),
          }),
        }),
      ),
    );
    expect(envelopes(await bus.receive("shipped", 1)).map((e) => e["detail-type"])).toEqual([
      "OrderShipped",
    ]);
    await bus.expectEmpty("all");

    // The same records delivered again give the same ids: a consumer sees them as copies.
    await processor.process(
      changes([
        { orderId: "o1", to: "pending" },
        { orderId: "o1", from: "pending", to: "paid" },
        { orderId: "o1", from: "paid", to: "shipped" },
        { orderId: "o2", from: "pending", to: "pending" },
      ]),
      ctx(),
    );
    expect(sluiceIds(await bus.receive("all", 3))).toEqual(
      delivered.map((e) => e.detail[SLUICE_EVENT_ID_KEY]),
    );
  });

  it("derives ids that are stable per record and distinct across records, types and positions", () => {
    const [change] = changes([{ orderId: "o1", from: "pending", to: "paid" }]);
    const triple = fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.nat(20));
    fc.assert(
      fc.property(fc.uniqueArray(triple, { selector: (t) => JSON.stringify(t) }), (triples) => {
        const ids = triples.map(([eventId, type, index]) => {
          const withId = { ...change!, meta: { ...change!.meta, eventId } };
          const id = publishedEventId(withId, type, index);
          expect(publishedEventId(withId, type, index)).toBe(id);
          // An SQS deduplication id takes at most 128 characters of this alphabet.
          expect(id).toMatch(/^[0-9a-f]{64}$/);
          return id;
        });
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });

  it("keeps each item's order: one entry per item per call, in batch order", async () => {
    const { processor, calls } = await setup();
    // Each order's two changes side by side, as a busy order's would be.
    const writes: Write[] = [];
    for (let i = 0; i < 15; i++) {
      writes.push({ orderId: `o${i}`, from: "pending", to: "paid" });
      writes.push({ orderId: `o${i}`, from: "paid", to: "cancelled" });
    }

    const results = await processor.process(changes(writes), ctx());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls.map((call) => call.length)).toEqual([10, 10, 5, 5]);
    for (const call of calls) {
      const orders = call.map((e) => JSON.parse(e.Detail!).orderId);
      expect(new Set(orders).size).toBe(orders.length);
    }
    const sent = calls.flat().map((e) => JSON.parse(e.Detail!) as { orderId: string; to: string });
    for (let i = 0; i < 15; i++) {
      expect(sent.filter((d) => d.orderId === `o${i}`).map((d) => d.to)).toEqual([
        "paid",
        "cancelled",
      ]);
    }
  });

  it("with orderPerItem false, packs one hot item's events 10 to a call", async () => {
    const { processor, calls } = await setup({}, { orderPerItem: false });
    const writes: Write[] = Array.from({ length: 20 }, (_, i) => ({
      orderId: "hot",
      from: i % 2 ? "paid" : "pending",
      to: i % 2 ? "pending" : "paid",
    }));

    const results = await processor.process(changes(writes), ctx());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls.map((call) => call.length)).toEqual([10, 10]);
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).to)).toEqual(writes.map((w) => w.to));
  });

  it("dead-letters a change whose event EventBridge rejects; the item's later changes go on", async () => {
    const { bus, processor } = await setup({
      entry: (e) =>
        e.DetailType === "OrderShipped" && JSON.parse(e.Detail!).orderId === "o1"
          ? "InvalidArgument"
          : undefined,
    });
    const batch = changes([
      { orderId: "o1", from: "paid", to: "shipped" },
      { orderId: "o1", from: "shipped", to: "delivered" },
    ]);

    const results = await processor.process(batch, ctx());

    expect(results.map(classOf)).toEqual(["permanent", "ok"]);
    const error = (results[0] as { error: PublishEventsError }).error;
    expect(error).toBeInstanceOf(PublishEventsError);
    expect(error.code).toBe("EVENT_REJECTED");
    expect(error.eventId).toBe(batch[0]!.meta.eventId);
    expect(error.failures.map((f) => f.code)).toEqual(["InvalidArgument"]);
    // The change's other event was accepted before: a replay of the letter repeats its id.
    const delivered = envelopes(await bus.receive("all", 2));
    expect(delivered.map((e) => `${e["detail-type"]}:${e.detail.to}`)).toEqual([
      "OrderStatusChanged:shipped",
      "OrderStatusChanged:delivered",
    ]);
    await bus.expectEmpty("all");
  });

  it("fails a change whose event stays throttled, and holds back its item's later changes unsent", async () => {
    const { bus, processor, calls } = await setup({
      entry: (e) => {
        const detail = JSON.parse(e.Detail!);
        return detail.orderId === "o1" && detail.to === "paid" ? "ThrottlingException" : undefined;
      },
    });
    const batch = changes([
      { orderId: "o1", from: "pending", to: "paid" },
      { orderId: "o2", from: "pending", to: "paid" },
      { orderId: "o1", from: "paid", to: "shipped" },
      { orderId: "o2", from: "paid", to: "shipped" },
    ]);

    const results = await processor.process(batch, ctx());

    expect(results.map(classOf)).toEqual(["transient", "ok", "transient", "ok"]);
    expect(results.map(codeOf)).toEqual([
      "PUT_FAILED",
      undefined,
      "EARLIER_CHANGE_PENDING",
      undefined,
    ]);
    // o2 goes on while o1's first event is retried; o1's later events are never sent.
    expect(calls.map(detailTypeAndId)).toEqual([
      ["OrderStatusChanged:o1", "OrderStatusChanged:o2"],
      ["OrderStatusChanged:o2"],
      ["OrderShipped:o2"],
      ["OrderStatusChanged:o1"],
      ["OrderStatusChanged:o1"],
    ]);
    const delivered = envelopes(await bus.receive("all", 3));
    expect(delivered.every((e) => e.detail.orderId === "o2")).toBe(true);
    await bus.expectEmpty("all");
  });

  it("dead-letters poison from the events function and holds an item behind any other error", async () => {
    const events = (change: ChangeEvent<Order>) => {
      const status = change.newImage?.status;
      if (status === "poison") throw new PoisonRecordError("never publishable");
      if (status === "flaky") throw new Error("lookup timed out");
      if (status === "invalid") return [{ detailType: "", detail: {} }];
      return [{ detailType: "OrderStatusChanged", detail: { to: status } }];
    };
    const { processor, calls } = await setup({}, { events });
    const batch = changes([
      { orderId: "o1", from: "pending", to: "poison" },
      { orderId: "o1", from: "poison", to: "paid" },
      { orderId: "o2", from: "pending", to: "flaky" },
      { orderId: "o2", from: "flaky", to: "paid" },
      { orderId: "o3", from: "pending", to: "invalid" },
      { orderId: "o3", from: "invalid", to: "paid" },
    ]);

    const results = await processor.process(batch, ctx());

    expect(results.map(classOf)).toEqual([
      "permanent",
      "ok",
      "unknown",
      "transient",
      "permanent",
      "ok",
    ]);
    expect((results[2] as { error: Error }).error.message).toBe("lookup timed out");
    expect(codeOf(results[3]!)).toBe("EARLIER_CHANGE_PENDING");
    expect(codeOf(results[4]!)).toBe("INVALID_EVENTS");
    expect(calls.flat().map((e) => JSON.parse(e.Detail!).to)).toEqual(["paid", "paid"]);
  });

  it("refuses to start without a source, bus or name", () => {
    expect(() =>
      publishEvents({
        name: "x",
        client: local.clients.eventbridge,
        eventBusName: "b",
        source: "",
        events: () => [],
      }),
    ).toThrow("publishEvents needs a non-empty source.");
  });
});
