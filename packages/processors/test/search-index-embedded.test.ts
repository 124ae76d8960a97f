import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { embeddedSink, searchIndex } from "../src/search-index/index.js";
import {
  changesOf,
  type Order,
  order,
  orderChange,
  orderDocument,
  orderSchema,
  orderSearch,
  processContext,
} from "./search-index-fixtures.js";

const statuses = ["pending", "paid", "shipped", "delivered", "cancelled"] as const;

/** 40 orders indexed through the processor; order n ends with status n mod 5. */
async function indexedShop() {
  const sink = embeddedSink({ schema: orderSchema });
  const processor = searchIndex<Order>({ ...orderSearch, sink });
  const orders = Array.from({ length: 40 }, (_, n) => order(n, { status: statuses[n % 5]! }));
  const inputs = orders.flatMap((o, n) => [
    orderChange(2 * n, undefined, order(n)),
    orderChange(2 * n + 1, order(n), o),
  ]);
  const results = await processor.process(changesOf(inputs), processContext());
  expect(results.every((r) => r.ok)).toBe(true);
  return { sink, orders };
}

const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id).sort();

describe("embeddedSink", () => {
  it("answers full-text queries over the chosen fields", async () => {
    const { sink, orders } = await indexedShop();
    const inLondon = await sink.search("orders", {
      term: "baker street",
      properties: ["shippingAddress.street"],
      limit: 100,
    });
    expect(ids(inLondon.hits)).toEqual(
      ids(
        orders.filter((o) => o.shippingAddress.city === "London").map((o) => ({ id: o.orderId })),
      ),
    );
    expect(inLondon.count).toBe(10);

    // The same word in a field not searched finds nothing.
    const wrongField = await sink.search("orders", {
      term: "berlin",
      properties: ["shippingAddress.street"],
    });
    expect(wrongField.count).toBe(0);
  });

  it("filters with where, sorts and pages", async () => {
    const { sink, orders } = await indexedShop();
    const largePaidOrShipped = await sink.search("orders", {
      term: "",
      where: { status: { in: ["paid", "shipped"] }, total: { gte: 60 } },
      limit: 100,
    });
    const expected = orders.filter(
      (o) => (o.status === "paid" || o.status === "shipped") && o.total >= 60,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(orders.filter((o) => o.status === "shipped").length);
    expect(ids(largePaidOrShipped.hits)).toEqual(expected.map((o) => o.orderId).sort());

    const byTotal = [...orders].sort((a, b) => b.total - a.total).map((o) => o.total);
    const page = (offset: number) =>
      sink.search("orders", {
        term: "",
        sortBy: { property: "total", order: "DESC" },
        limit: 10,
        offset,
      });
    const pages = await Promise.all([0, 10, 20, 30].map(page));
    expect(
      pages.flatMap((p) => p.hits.map((hit) => (hit.document as { total: number }).total)),
    ).toEqual(byTotal);
    expect(new Set(pages.flatMap((p) => p.hits.map((hit) => hit.id))).size).toBe(40);
  });

  it("answers a where on a number like a filter over its documents, after any updates and deletes", async () => {
    // Differential: Orama's number index alone loses entries when documents are removed and
    // inserted again; the sink's answers must equal a plain filter over what it stores.
    const schema = { total: "number", currency: "enum" } as const;
    const write = fc.record({
      id: fc.integer({ min: 0, max: 60 }),
      total: fc.integer({ min: 0, max: 150 }),
      currency: fc.constantFrom("EUR", "USD"),
      remove: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 50, maxLength: 400 }), async (writes) => {
        const sink = embeddedSink({ schema });
        let version = 0n;
        for (const { id, total, currency, remove } of writes) {
          version += 1n;
          const action = remove
            ? { op: "delete" as const, index: "o", id: `o-${id}`, version }
            : {
                op: "index" as const,
                index: "o",
                id: `o-${id}`,
                version,
                document: { total, currency },
              };
          await sink.bulk([action]);
        }
        const live = [...sink.documents("o").values()].map(
          ({ document }) => document as { total: number; currency: string },
        );
        for (const floor of [0, 50, 100]) {
          const found = await sink.search("o", {
            term: "",
            where: { total: { gte: floor }, currency: { eq: "USD" } },
            limit: 1_000,
          });
          expect(found.count).toBe(
            live.filter((doc) => doc.total >= floor && doc.currency === "USD").length,
          );
        }
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("moves versions only forward: a stale write or delete changes nothing, and a delete's version is kept for good", async () => {
    const sink = embeddedSink({ schema: orderSchema });
    const doc = (status: string) => ({ ...orderDocument(order(1))!, status });
    const write = (version: bigint, status: string) =>
      sink.bulk([{ op: "index", index: "orders", id: "o-1", version, document: doc(status) }]);
    const remove = (version: bigint) =>
      sink.bulk([{ op: "delete", index: "orders", id: "o-1", version }]);

    expect(await write(5n, "paid")).toEqual([{ status: "applied" }]);
    expect(await write(5n, "pending")).toEqual([{ status: "stale" }]);
    expect(await write(4n, "pending")).toEqual([{ status: "stale" }]);
    expect(await remove(5n)).toEqual([{ status: "stale" }]);
    expect(sink.get("orders", "o-1")).toEqual({ version: 5n, document: doc("paid") });

    expect(await remove(9n)).toEqual([{ status: "applied" }]);
    expect(await write(8n, "shipped")).toEqual([{ status: "stale" }]);
    expect(sink.get("orders", "o-1")).toEqual({ version: 9n });
    expect((await sink.search("orders", { term: "" })).count).toBe(0);
    expect(await write(10n, "shipped")).toEqual([{ status: "applied" }]);
    expect(
      (await sink.search("orders", { term: "", where: { status: { eq: "shipped" } } })).count,
    ).toBe(1);
  });

  it("refuses a document the schema does not fit and keeps the one it had", async () => {
    const sink = embeddedSink({ schema: orderSchema });
    const good = orderDocument(order(1))!;
    await sink.bulk([{ op: "index", index: "orders", id: "o-1", version: 1n, document: good }]);
    const [result] = await sink.bulk([
      { op: "index", index: "orders", id: "o-1", version: 2n, document: { ...good, total: "n/a" } },
    ]);
    expect(result).toEqual({
      status: "rejected",
      reason: "schema_validation: field [total] does not match the schema",
    });
    expect(sink.get("orders", "o-1")).toEqual({ version: 1n, document: good });
    expect(
      (await sink.search("orders", { term: "", where: { total: { eq: good.total } } })).count,
    ).toBe(1);
  });

  it("keeps soft-deleted documents out of a query that filters on the marker", async () => {
    const sink = embeddedSink({ schema: orderSchema });
    const processor = searchIndex<Order>({ ...orderSearch, sink, softDeleteField: "deleted" });
    await processor.process(
      changesOf([
        orderChange(0, undefined, order(1)),
        orderChange(1, undefined, order(2)),
        orderChange(2, order(2), undefined),
      ]),
      processContext(),
    );
    const live = await sink.search("orders", { term: "", where: { deleted: false } });
    expect(ids(live.hits)).toEqual(["o-1"]);
    expect(sink.get("orders", "o-2")?.document).toEqual({ deleted: true });
  });
});
