import { type DeadLetter, defaultClassifier, streamHandler } from "@sluice/runtime";
import { streamEvent, streamRecord } from "@sluice/testing";
import { describe, expect, it } from "vitest";
import {
  embeddedSink,
  type SearchAction,
  type SearchActionResult,
  searchIndex,
  streamVersion,
} from "../src/search-index/index.js";
import {
  attributes,
  changesOf,
  errorOf,
  keysOf,
  noWait,
  type Order,
  order,
  orderChange,
  orderDocument,
  orderSchema,
  orderSearch,
  processContext,
} from "./search-index-fixtures.js";

/** A sink that records each bulk call and answers `applied` unless told otherwise. */
function recordingSink(
  answer: (action: SearchAction, call: number) => SearchActionResult | undefined = () => undefined,
) {
  const calls: SearchAction[][] = [];
  return {
    calls,
    async bulk(actions: SearchAction[]) {
      calls.push(actions);
      return actions.map(
        (action) => answer(action, calls.length) ?? { status: "applied" as const },
      );
    },
  };
}

const summary = (action: SearchAction) =>
  action.op === "index"
    ? {
        op: action.op,
        id: action.id,
        version: action.version,
        status: (action.document as { status?: string }).status,
      }
    : { op: action.op, id: action.id, version: action.version };

describe("searchIndex", () => {
  it("writes each document's last change of the batch, in one bulk call", async () => {
    const sink = recordingSink();
    const processor = searchIndex<Order>({ ...orderSearch, sink });
    const o1 = order(1);
    const o3 = order(3);
    const events = changesOf([
      orderChange(0, undefined, o1),
      orderChange(1, o1, { ...o1, status: "paid" }),
      orderChange(2, undefined, order(2)),
      orderChange(3, { ...o1, status: "paid" }, { ...o1, status: "shipped" }),
      orderChange(4, undefined, o3),
      orderChange(5, o3, undefined),
    ]);
    const results = await processor.process(events, processContext());

    expect(results).toEqual(events.map(() => ({ ok: true })));
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]!.map(summary)).toEqual([
      { op: "index", id: "o-1", version: streamVersion(events[3]!), status: "shipped" },
      { op: "index", id: "o-2", version: streamVersion(events[2]!), status: "pending" },
      { op: "delete", id: "o-3", version: streamVersion(events[5]!) },
    ]);
    expect(sink.calls[0]![0]!.index).toBe("orders");
  });

  it("writes nothing for an insert without a document, deletes on a modify without one and on a remove", async () => {
    const sink = recordingSink();
    const profile = { PK: "CUSTOMER#c-1", SK: "PROFILE", name: "Ada" };
    const processor = searchIndex<Order>({
      ...orderSearch,
      sink,
      // Cancelled orders leave the index.
      toDocument: (item) => (item.status === "cancelled" ? undefined : orderDocument(item)),
    });
    const o1 = order(1);
    const events = changesOf([
      { index: 0, keys: keysOf(profile), newImage: attributes(profile) },
      orderChange(1, o1, { ...o1, status: "cancelled" }),
      orderChange(2, undefined, order(2, { status: "cancelled" })),
      orderChange(3, order(4), undefined),
    ]);
    const results = await processor.process(events, processContext());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(sink.calls[0]!.map(summary)).toEqual([
      { op: "delete", id: "o-1", version: streamVersion(events[1]!) },
      { op: "delete", id: "o-4", version: streamVersion(events[3]!) },
    ]);
  });

  it("with soft deletes, marks the document deleted at the delete's version and every other one live", async () => {
    const sink = recordingSink();
    const processor = searchIndex<Order>({ ...orderSearch, sink, softDeleteField: "deleted" });
    const events = changesOf([
      orderChange(0, undefined, order(1)),
      orderChange(1, order(2), undefined),
    ]);
    await processor.process(events, processContext());

    const [upsert, removal] = sink.calls[0]!;
    expect(upsert).toMatchObject({
      op: "index",
      id: "o-1",
      document: { orderId: "o-1", deleted: false },
    });
    expect(removal).toEqual({
      op: "index",
      index: "orders",
      id: "o-2",
      version: streamVersion(events[1]!),
      document: { deleted: true },
    });
  });

  it("takes versions from a named attribute: the write's value, and the old value + 1 for a remove", async () => {
    const sink = recordingSink();
    const processor = searchIndex<Order & { version?: number }>({
      ...orderSearch,
      sink,
      version: { attribute: "version" },
    });
    const events = changesOf<Order & { version?: number }>([
      orderChange(0, undefined, { ...order(1), version: 7 } as Order),
      orderChange(1, { ...order(2), version: 41 } as Order, undefined),
      orderChange(2, undefined, order(3)),
    ]);
    const results = await processor.process(events, processContext());

    expect(sink.calls[0]!.map((a) => [a.id, a.version])).toEqual([
      ["o-1", 7n],
      ["o-2", 42n],
    ]);
    expect(results.slice(0, 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(errorOf(results[2]!)).toMatchObject({ code: "INVALID_VERSION", documentId: "o-3" });
    expect(errorOf(results[2]!).message).toMatch(
      /version attribute "version" of the new image is missing/,
    );
    expect(defaultClassifier(errorOf(results[2]!))).toBe("permanent");
  });

  it("derives the default id from the keys, escaped, and refuses ids OpenSearch cannot take", async () => {
    const sink = recordingSink();
    const processor = searchIndex({
      name: "search",
      sink,
      index: "things",
      toDocument: (item) => item,
    });
    const keys = (pk: string, sk: string) => ({ PK: { S: pk }, SK: { S: sk } });
    const events = changesOf<Record<string, unknown>>([
      { index: 0, keys: keys("CUSTOMER#1", "ORDER#7"), newImage: keys("CUSTOMER#1", "ORDER#7") },
      { index: 1, keys: keys("A|B", "C\\D"), newImage: keys("A|B", "C\\D") },
      { index: 2, keys: keys("X".repeat(600), "Y"), newImage: keys("X".repeat(600), "Y") },
    ]);
    const results = await processor.process(events, processContext());

    expect(sink.calls[0]!.map((a) => a.id)).toEqual(["CUSTOMER#1|ORDER#7", "A\\|B|C\\\\D"]);
    expect(errorOf(results[2]!)).toMatchObject({ code: "INVALID_DOCUMENT_ID", eventId: "event-2" });
    expect(errorOf(results[2]!).message).toMatch(/602 bytes; OpenSearch takes at most 512/);
    expect(defaultClassifier(errorOf(results[2]!))).toBe("permanent");
  });

  it("returns toDocument's own error, and holds the document's earlier changes until it is written", async () => {
    const sink = recordingSink();
    const failure = new Error("cannot map this order");
    const processor = searchIndex<Order>({
      ...orderSearch,
      sink,
      toDocument: (item) => {
        if (item.status === "paid") throw failure;
        return orderDocument(item);
      },
    });
    const o1 = order(1);
    const events = changesOf([
      orderChange(0, undefined, o1),
      orderChange(1, undefined, order(2)),
      orderChange(2, o1, { ...o1, status: "paid" }),
    ]);
    const results = await processor.process(events, processContext());

    expect(results[2]).toEqual({ ok: false, error: failure });
    expect(errorOf(results[0]!)).toMatchObject({ code: "LATER_CHANGE_PENDING", documentId: "o-1" });
    expect(defaultClassifier(errorOf(results[0]!))).toBe("transient");
    expect(results[1]).toEqual({ ok: true });
    expect(sink.calls[0]!.map((a) => a.id)).toEqual(["o-2"]);
  });

  it("refuses a change whose stream carries no new image", async () => {
    const processor = searchIndex<Order>({ ...orderSearch, sink: recordingSink() });
    const events = changesOf([
      {
        ...orderChange(0, order(1), order(1)),
        newImage: undefined,
        eventName: "MODIFY",
        viewType: "KEYS_ONLY",
      },
    ]);
    const [result] = await processor.process(events, processContext());
    expect(errorOf(result!)).toMatchObject({ code: "MISSING_IMAGE", documentId: "o-1" });
    expect(defaultClassifier(errorOf(result!))).toBe("permanent");
  });

  it("sends again only what the sink answered `retry`, with backoff, and gives up after the attempts", async () => {
    const sink = recordingSink((action) =>
      action.id === "o-2"
        ? {
            status: "retry",
            reason: "es_rejected_execution_exception: queue full",
            httpStatus: 429,
          }
        : undefined,
    );
    const delays: number[] = [];
    const processor = searchIndex<Order>({
      ...orderSearch,
      sink,
      retry: {
        maxAttempts: 3,
        baseDelayMs: 100,
        random: () => 0.5,
        sleep: async (ms) => void delays.push(ms),
      },
    });
    const o2 = order(2);
    const events = changesOf([
      orderChange(0, undefined, order(1)),
      orderChange(1, undefined, o2),
      orderChange(2, o2, { ...o2, status: "paid" }),
    ]);
    const results = await processor.process(events, processContext());

    expect(sink.calls.map((call) => call.map((a) => a.id))).toEqual([
      ["o-1", "o-2"],
      ["o-2"],
      ["o-2"],
    ]);
    expect(delays).toEqual([50, 100]);
    expect(results[0]).toEqual({ ok: true });
    expect(errorOf(results[2]!)).toMatchObject({
      code: "WRITE_FAILED",
      httpStatus: 429,
      documentId: "o-2",
    });
    expect(errorOf(results[2]!).message).toMatch(
      /not written after 3 attempts: es_rejected_execution_exception/,
    );
    expect(defaultClassifier(errorOf(results[2]!))).toBe("transient");
    expect(errorOf(results[1]!).code).toBe("LATER_CHANGE_PENDING");
  });

  it("counts a sink that throws as `retry` for every action, and stops retrying once the deadline signal aborts", async () => {
    const controller = new AbortController();
    let calls = 0;
    const processor = searchIndex<Order>({
      ...orderSearch,
      sink: {
        async bulk() {
          calls += 1;
          controller.abort();
          throw new Error("socket hang up");
        },
      },
      retry: { maxAttempts: 5, ...noWait },
    });
    const results = await processor.process(
      changesOf([orderChange(0, undefined, order(1))]),
      processContext(controller.signal),
    );
    expect(calls).toBe(1);
    expect(errorOf(results[0]!).message).toMatch(
      /not written after 1 attempt: Error: socket hang up/,
    );
  });

  it("dead-letters a rejected document with its id and the sink's reason, then writes the document's earlier change", async () => {
    const sink = embeddedSink({ schema: orderSchema });
    const letters: DeadLetter[] = [];
    const handler = streamHandler<Order>({
      pipeline: "shop",
      processors: [searchIndex<Order>({ ...orderSearch, sink })],
      deadLetter: async (batch) => void letters.push(...batch),
      retry: { maxAttempts: 3, ...noWait },
      metrics: false,
      logger: { sink: () => {} },
    });
    const o1 = order(1);
    const broken = { ...o1, status: "paid", total: "n/a" } as unknown as Order;
    const response = await handler(
      streamEvent([
        streamRecord(orderChange(0, undefined, o1)),
        streamRecord(orderChange(1, o1, broken)),
      ]),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.record.eventID).toBe("event-1");
    expect(letters[0]!.error).toMatchObject({
      name: "SearchIndexError",
      code: "DOCUMENT_REJECTED",
    });
    expect(letters[0]!.error.message).toMatch(
      /schema_validation: field \[total\].*document o-1 in orders/,
    );
    expect(sink.get("orders", "o-1")?.document).toEqual(orderDocument(o1));
  });
});
