import type { TransactWriteItem } from "@aws-sdk/client-dynamodb";
import { type ChangeEvent, canonicalNumber, decimal } from "@sluice/records";
import { createClassifier, PoisonRecordError, type RecordResult } from "@sluice/runtime";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketLabel, dateOf } from "../src/aggregate/bucket.js";
import { type Delta, deltaOf, itemIdOf } from "../src/aggregate/contribution.js";
import { toText } from "../src/aggregate/exact.js";
import { groupWithinLimits, maxActions, maxTermsPerCell } from "../src/aggregate/groups.js";
import { merge } from "../src/aggregate/pre-aggregate.js";
import { valuesOf } from "../src/aggregate/reader.js";
import { partitionOf, shardOf } from "../src/aggregate/table.js";
import { type AggregateInputError, aggregate, count, custom, sum } from "../src/index.js";
import {
  changes,
  dailySales,
  type Order,
  type OrderFields,
  orderRecord,
  processContext,
} from "./aggregate.fixtures.js";

const classify = createClassifier();
// Never reached: the processor gets ctx.commit in these tests.
const client = {} as never;

/** Captures what the processor commits; `refuse` makes the n-th call (1-based) throw. */
function recordingCommit(refuse?: { call: number; error: Error }) {
  const calls: { writes: TransactWriteItem[]; events: ChangeEvent<unknown>[] }[] = [];
  let n = 0;
  const commit = async (writes: TransactWriteItem[], events: ChangeEvent<unknown>[]) => {
    n++;
    if (refuse && n === refuse.call) throw refuse.error;
    calls.push({ writes, events });
  };
  return { commit, calls };
}

/** The partition key of shard 0, which names the aggregate. */
const unsharded = (pk: string) => pk.replace(/^([^#:]+):\d+#/, "$1#");

/** A cell's amounts as canonical text, zeros left out: what ADD would change. */
function amounts(delta: Delta, collapseShards = 0): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, bigint>>();
  for (const cell of delta.values()) {
    const pk = collapseShards > 1 ? unsharded(cell.pk) : cell.pk;
    const address = `${pk} ${cell.sk}`;
    const into = out.get(address) ?? new Map<string, bigint>();
    out.set(address, into);
    for (const [attribute, amount] of cell.terms) {
      // Scale 4 holds every total the tests generate.
      const scaled = amount.units * 10n ** BigInt(4 - amount.scale);
      into.set(attribute, (into.get(attribute) ?? 0n) + scaled);
    }
  }
  return new Map(
    [...out]
      .map(([address, terms]) => {
        const kept = [...terms]
          .filter(([, units]) => units !== 0n)
          .map(([attribute, units]) => [attribute, canonicalNumber(`${units}e-4`)] as const);
        return [address, new Map(kept.sort())] as const;
      })
      .filter(([, terms]) => terms.size > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

// Order dates in every form the bucket accepts, with the UTC day each one is.
const dates: [string | number, string][] = [
  ["2026-11-20", "2026-11-20"],
  ["2026-11-21T23:30:00-02:00", "2026-11-22"],
  ["2026-11-21T10:15:00Z", "2026-11-21"],
  [1_795_348_800, "2026-11-22"],
  [1_795_219_200_000, "2026-11-21"],
];
const statuses = ["pending", "paid", "shipped", "cancelled"];

interface OrderState {
  status: string;
  date: number;
  /** Total as integer units at scale 4, or absent. */
  total?: bigint;
}

const totalText = (units: bigint) => canonicalNumber(`${units}e-4`);

const fieldsOf = (order: number, state: OrderState): OrderFields => ({
  customer: `c-${order % 2}`,
  order: `o-${order}`,
  status: state.status,
  orderDate: dates[state.date]![0],
  ...(state.total !== undefined && { total: totalText(state.total) }),
});

/**
 * What the aggregates must hold for a set of orders, computed directly from the documented
 * layout: per status and UTC day, `orders`, `revenue` and one `total=<value>` count per value.
 */
function recompute(states: Map<number, OrderState>): Map<string, Map<string, string>> {
  const cells = new Map<string, Map<string, bigint>>();
  for (const state of states.values()) {
    if (state.status === "cancelled") continue;
    const address = `daily-sales#${state.status} ${dates[state.date]![1]}`;
    const cell = cells.get(address) ?? new Map<string, bigint>();
    cells.set(address, cell);
    const bump = (attribute: string, units: bigint) =>
      cell.set(attribute, (cell.get(attribute) ?? 0n) + units);
    bump("orders", 10_000n);
    if (state.total !== undefined) {
      bump("revenue", state.total);
      bump(`total=${totalText(state.total)}`, 10_000n);
    }
  }
  const delta: Delta = new Map();
  for (const [address, terms] of cells) {
    const [pk, sk] = address.split(" ") as [string, string];
    delta.set(address, {
      pk,
      sk,
      terms: new Map([...terms].map(([a, units]) => [a, { units, scale: 4 }])),
    });
  }
  return amounts(delta);
}

/** `after - before`, per cell and attribute. */
function difference(
  after: Map<string, Map<string, string>>,
  before: Map<string, Map<string, string>>,
): Map<string, Map<string, string>> {
  const delta: Delta = new Map();
  const addAll = (side: Map<string, Map<string, string>>, sign: bigint) => {
    for (const [address, terms] of side) {
      const [pk, sk] = address.split(" ") as [string, string];
      const cell = delta.get(address) ?? { pk, sk, terms: new Map() };
      delta.set(address, cell);
      for (const [attribute, text] of terms) {
        const units = BigInt(canonicalNumber(`${text}e4`)) * sign;
        const previous = cell.terms.get(attribute);
        cell.terms.set(attribute, { units: (previous?.units ?? 0n) + units, scale: 4 });
      }
    }
  };
  addAll(after, 1n);
  addAll(before, -1n);
  return amounts(delta);
}

const stateArbitrary = fc.record(
  {
    status: fc.constantFrom(...statuses),
    date: fc.integer({ min: 0, max: dates.length - 1 }),
    // Up to 34 digits at scale 4: the sums of a batch stay within 38.
    total: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  },
  { requiredKeys: ["status", "date"] },
);

/** A history of an orders table: each step inserts, modifies or removes one of a few orders. */
const historyArbitrary = fc.array(
  fc.record({
    order: fc.integer({ min: 0, max: 4 }),
    next: fc.option(stateArbitrary, { nil: undefined }),
  }),
  { minLength: 1, maxLength: 40 },
);

function play(history: { order: number; next: OrderState | undefined }[]) {
  const snapshots: Map<number, OrderState>[] = [new Map()];
  const records = [];
  let state = new Map<number, OrderState>();
  for (const { order, next } of history) {
    const before = state.get(order);
    if (!before && !next) continue;
    records.push(
      orderRecord(records.length, {
        ...(before && { before: fieldsOf(order, before) }),
        ...(next && { after: fieldsOf(order, next) }),
      }),
    );
    state = new Map(state);
    if (next) state.set(order, next);
    else state.delete(order);
    snapshots.push(state);
  }
  return { events: changes(records), snapshots };
}

const deltasOf = (events: ChangeEvent<Order>[], shards = 1) =>
  events.map((event) => deltaOf(event, { ...dailySales, shards }, itemIdOf(event)));

describe("pre-aggregation", () => {
  it("a batch's deltas equal the recomputation from its last images minus the one from its first", () => {
    fc.assert(
      fc.property(
        historyArbitrary,
        fc.nat(),
        fc.nat(),
        fc.constantFrom(1, 3),
        (history, a, b, shards) => {
          const { events, snapshots } = play(history);
          const from = a % (events.length + 1);
          const to = from + (b % (events.length - from + 1));
          const merged = merge(deltasOf(events.slice(from, to), shards));
          expect(amounts(merged.cells, shards)).toEqual(
            difference(recompute(snapshots[to]!), recompute(snapshots[from]!)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads back count, exact sum, min and max of the orders still there, shards summed", () => {
    fc.assert(
      fc.property(historyArbitrary, fc.constantFrom(1, 4), (history, shards) => {
        const { events, snapshots } = play(history);
        const stored = merge(deltasOf(events, shards)).cells;
        const final = snapshots.at(-1)!;
        for (const status of statuses.slice(0, 3)) {
          for (const day of new Set(dates.map(([, label]) => label))) {
            const items = [...stored.values()]
              .filter((cell) => unsharded(cell.pk) === `daily-sales#${status}` && cell.sk === day)
              .map((cell) => ({
                pk: { S: cell.pk },
                sk: { S: cell.sk },
                ...Object.fromEntries(
                  [...cell.terms].map(([attribute, amount]) => [attribute, { N: toText(amount) }]),
                ),
              }));
            const orders = [...final.values()].filter(
              (s) => s.status === status && dates[s.date]![1] === day,
            );
            const totals = orders.flatMap((s) => (s.total === undefined ? [] : [s.total]));
            const values = valuesOf(items, dailySales.measures);
            const text = (v: unknown) =>
              v === undefined
                ? undefined
                : canonicalNumber(String((v as { value?: string }).value ?? v));
            expect(text(values.orders)).toBe(String(orders.length));
            expect(text(values.revenue)).toBe(totalText(totals.reduce((x, y) => x + y, 0n)));
            const sorted = [...totals].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
            expect(text(values.smallest)).toBe(
              sorted[0] === undefined ? undefined : totalText(sorted[0]),
            );
            expect(text(values.largest)).toBe(
              sorted.at(-1) === undefined ? undefined : totalText(sorted.at(-1)!),
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("sums 38-digit decimals without losing a digit", () => {
    const big = "1234567890123456789012345678.9012345678";
    const events = changes([
      orderRecord(0, {
        after: { customer: "a", order: "1", status: "paid", total: big, orderDate: "2026-11-21" },
      }),
      orderRecord(1, {
        after: { customer: "a", order: "2", status: "paid", total: big, orderDate: "2026-11-21" },
      }),
    ]);
    const cell = [...merge(deltasOf(events)).cells.values()][0]!;
    expect(toText(cell.terms.get("revenue")!)).toBe("2469135780246913578024691357.8024691356");
  });

  it("an item always lands on the same shard, and items spread over the shards", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `item-${i}`);
    // Shard 0 is the unsharded key; no key, whatever it holds, meets another key's shard.
    expect(partitionOf("sales", "paid", 0)).toBe("sales#paid");
    expect(partitionOf("sales", "paid", 1)).not.toBe(partitionOf("sales", "paid#1", 0));
    expect(partitionOf("sales", "paid", 1)).not.toBe(partitionOf("sales", ":1#paid", 0));
    const used = new Set(ids.map((id) => shardOf(id, 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
    for (const id of ids) expect(shardOf(id, 4)).toBe(shardOf(id, 4));
    // A modify that keeps key and bucket takes back and adds on one shard: one cell.
    const [modify] = changes([
      orderRecord(0, {
        before: { customer: "a", order: "1", status: "paid", total: "5", orderDate: "2026-11-21" },
        after: { customer: "a", order: "1", status: "paid", total: "7", orderDate: "2026-11-21" },
      }),
    ]);
    const delta = deltaOf(modify!, { ...dailySales, shards: 8 }, itemIdOf(modify!));
    expect(delta.size).toBe(1);
    expect(toText([...delta.values()][0]!.terms.get("revenue")!)).toBe("2");
  });

  it("a custom measure's parts are added and taken back, and finish reads their totals", () => {
    const average = custom({
      contribute: (order: Order) => ({ sum: order.total as number, n: 1 }),
      finish: ({ sum, n }) => Number(sum) / Number(n),
    });
    const definition = { ...dailySales, measures: { average } };
    const events = changes([
      orderRecord(0, {
        after: { customer: "a", order: "1", status: "paid", total: "10", orderDate: "2026-11-21" },
      }),
      orderRecord(1, {
        after: { customer: "a", order: "2", status: "paid", total: "20", orderDate: "2026-11-21" },
      }),
      orderRecord(2, {
        before: { customer: "a", order: "2", status: "paid", total: "20", orderDate: "2026-11-21" },
        after: { customer: "a", order: "2", status: "paid", total: "40", orderDate: "2026-11-21" },
      }),
    ]);
    const cells = merge(events.map((e) => deltaOf(e, definition, itemIdOf(e)))).cells;
    const [cell] = [...cells.values()];
    const item = Object.fromEntries([...cell!.terms].map(([a, x]) => [a, { N: toText(x) }]));
    expect(item).toEqual({ "average.sum": { N: "50" }, "average.n": { N: "2" } });
    expect(valuesOf([item], definition.measures).average).toBe(25);
  });
});

describe("time buckets", () => {
  it.each([
    ["2026-11-21", "2026-11-21T00:00:00.000Z"],
    ["2026-11-21T10:15", "2026-11-21T10:15:00.000Z"],
    ["2026-11-21T10:15:30.250Z", "2026-11-21T10:15:30.000Z"],
    ["2026-11-21T23:30:00-02:00", "2026-11-22T01:30:00.000Z"],
    ["2026-11-21T01:00:00+0530", "2026-11-20T19:30:00.000Z"],
    [1_795_219_200, "2026-11-21T00:00:00.000Z"],
    [1_795_219_200_000, "2026-11-21T00:00:00.000Z"],
    [1_795_219_200n, "2026-11-21T00:00:00.000Z"],
    [decimal("1795219200.5"), "2026-11-21T00:00:00.500Z"],
  ])("reads %s as %s", (value, iso) => {
    expect(dateOf(value)?.toISOString()).toBe(iso);
  });

  it.each([
    "2026-02-30",
    "2026-11-21T24:00",
    "21/11/2026",
    "",
    "soon",
    Number.NaN,
    true,
    { at: 1 },
  ])("refuses %s", (value) => {
    expect(dateOf(value)).toBeUndefined();
  });

  it("labels hours, days and months in UTC so they sort in time order", () => {
    const at = new Date("2026-11-21T09:59:59Z");
    expect(bucketLabel(at, "hour")).toBe("2026-11-21T09");
    expect(bucketLabel(at, "day")).toBe("2026-11-21");
    expect(bucketLabel(at, "month")).toBe("2026-11");
    expect(bucketLabel(new Date("2026-11-21T10:00:00Z"), "hour") > "2026-11-21T09").toBe(true);
  });

  it("with the change time, a modify moves the contribution within the change's bucket", () => {
    const definition = {
      ...dailySales,
      bucket: { changeTime: true, unit: "hour" },
    } as const;
    const [modify] = changes([
      orderRecord(0, {
        before: {
          customer: "a",
          order: "1",
          status: "pending",
          total: "5",
          orderDate: "2026-01-01",
        },
        after: { customer: "a", order: "1", status: "paid", total: "5", orderDate: "2026-01-01" },
        createdAt: 1_795_221_000, // 2026-11-21T00:30Z
      }),
    ]);
    const delta = deltaOf(modify!, definition, itemIdOf(modify!));
    expect([...delta.values()].map((c) => [c.pk, c.sk, toText(c.terms.get("orders")!)])).toEqual([
      ["daily-sales#pending", "2026-11-21T00", "-1"],
      ["daily-sales#paid", "2026-11-21T00", "1"],
    ]);
  });
});

describe("aggregate processor", () => {
  const paid = (order: string, total: string, orderDate = "2026-11-21"): OrderFields => ({
    customer: "a",
    order,
    status: "paid",
    total,
    orderDate,
  });

  it("commits one ADD per distinct aggregate item and every event's watermark in one call", async () => {
    // 40 orders over five days, inserted, modified from 1.5 to 2.5, then modified again.
    const day = (k: number) => `2026-11-0${1 + (k % 5)}`;
    const records = Array.from({ length: 100 }, (_, i) => {
      const k = i % 40;
      if (i < 40) return orderRecord(i, { after: paid(`o-${k}`, "1.5", day(k)) });
      if (i < 80) {
        return orderRecord(i, {
          before: paid(`o-${k}`, "1.5", day(k)),
          after: paid(`o-${k}`, "2.5", day(k)),
        });
      }
      const before = paid(`o-${k}`, "2.5", day(k));
      return orderRecord(i, { before, after: { ...before, currency: "USD" } });
    });
    const events = changes(records);
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    const results = await processor.process(events, processContext(commit));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.events).toHaveLength(100);
    // Five days of one status: five writes, whatever the number of records.
    expect(calls[0]!.writes.map((w) => w.Update!.Key!.sk!.S)).toEqual([
      "2026-11-01",
      "2026-11-02",
      "2026-11-03",
      "2026-11-04",
      "2026-11-05",
    ]);
    const first = calls[0]!.writes[0]!.Update!;
    expect(first.UpdateExpression!.startsWith("ADD ")).toBe(true);
    const byName = Object.fromEntries(
      Object.entries(first.ExpressionAttributeNames!).map(([placeholder, name]) => [
        name,
        first.ExpressionAttributeValues![`:${placeholder.slice(1)}`]!.N,
      ]),
    );
    // Day 1 holds orders 0, 5, ..., 35: eight orders of 2.5 each; no order of 1.5 is left.
    expect(byName.orders).toBe("8");
    expect(byName.revenue).toBe("20");
    expect(byName["total=2.5"]).toBe("8");
    expect(byName["total=1.5"]).toBeUndefined();
  });

  it("splits a batch beyond one transaction's 100 actions into groups that each fit and commit alone", async () => {
    // 100 new orders on 100 days: 100 writes plus 100 watermarks.
    const events = changes(
      Array.from({ length: 100 }, (_, i) =>
        orderRecord(i, {
          after: paid(`o-${i}`, "1", new Date(Date.UTC(2026, 0, 1 + i)).toISOString()),
        }),
      ),
    );
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    await processor.process(events, processContext(commit));
    expect(calls.length).toBe(2);
    for (const call of calls) {
      const items = new Set(call.events.map((e) => JSON.stringify(e.keys)));
      expect(call.writes.length + items.size).toBeLessThanOrEqual(maxActions);
    }
    // In order, each event once.
    expect(calls.flatMap((c) => c.events.map((e) => e.meta.eventId))).toEqual(
      events.map((e) => e.meta.eventId),
    );
  });

  it("splits where one aggregate item would need more than 300 amounts in its expression", async () => {
    // One order changes its total 350 times: 351 values to count in one aggregate item.
    const records = [orderRecord(0, { after: paid("o-1", "1") })];
    for (let i = 1; i <= 350; i++) {
      records.push(
        orderRecord(i, { before: paid("o-1", String(i)), after: paid("o-1", String(i + 1)) }),
      );
    }
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    await processor.process(changes(records), processContext(commit));
    expect(calls.length).toBe(2);
    for (const call of calls) {
      const [write] = call.writes;
      expect(Object.keys(write!.Update!.ExpressionAttributeNames!).length).toBeLessThanOrEqual(
        maxTermsPerCell,
      );
      expect(write!.Update!.UpdateExpression!.length).toBeLessThan(4096);
    }
  });

  it("groups keep every cell within 100 actions and 300 amounts, whatever the batch", () => {
    fc.assert(
      fc.property(historyArbitrary, (history) => {
        const { events } = play(history);
        const steps = events.map((e) => ({
          itemId: itemIdOf(e),
          delta: deltaOf(e, dailySales, itemIdOf(e)),
        }));
        const groups = groupWithinLimits(steps);
        expect(groups.flat()).toEqual(steps);
        for (const group of groups) {
          const merged = merge(group.map((s) => s.delta));
          expect(merged.cells.size + new Set(group.map((s) => s.itemId)).size).toBeLessThanOrEqual(
            maxActions,
          );
        }
      }),
    );
  });

  it("a failed commit fails its group; later changes of those items wait, other items go on", async () => {
    // 70 orders on 70 days, then order o-0 again: group 1 holds the first 50 (50 writes + 50
    // items), group 2 the rest and o-0's modify.
    const fields = (i: number) =>
      paid(`o-${i}`, "1", new Date(Date.UTC(2026, 0, 1 + i)).toISOString());
    const records = Array.from({ length: 70 }, (_, i) => orderRecord(i, { after: fields(i) }));
    records.push(orderRecord(70, { before: fields(0), after: { ...fields(0), total: "2" } }));
    const busy = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    const { commit, calls } = recordingCommit({ call: 1, error: busy });
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    const results = await processor.process(changes(records), processContext(commit));
    const failed = results.flatMap((r, i) => (r.ok ? [] : [i]));
    expect(failed).toEqual([...Array.from({ length: 50 }, (_, i) => i), 70]);
    expect((results[0] as { error: unknown }).error).toBe(busy);
    expect(classify((results[70] as { error: unknown }).error)).toBe("transient");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.events.map((e) => e.meta.eventId)).toEqual(
      Array.from({ length: 20 }, (_, i) => `event-${50 + i}`),
    );
  });

  it("fails bad input permanently with a code, holds back that item's later changes, and commits the rest", async () => {
    const records = [
      orderRecord(0, { after: paid("o-1", "10") }),
      orderRecord(1, { after: { ...paid("o-2", "0"), total: { S: "12 EUR" } } }),
      orderRecord(2, { after: paid("o-3", "5", "2026-13-45") }),
      orderRecord(3, {
        before: { ...paid("o-2", "0"), total: { S: "12 EUR" } },
        after: paid("o-2", "12"),
      }),
      orderRecord(4, { after: paid("o-4", "7") }),
    ];
    // A modify without its old image: the stream's view type is NEW_IMAGE.
    const noOld = orderRecord(5, { before: paid("o-4", "7"), after: paid("o-4", "8") });
    delete noOld.dynamodb!.OldImage;
    noOld.dynamodb!.StreamViewType = "NEW_IMAGE";
    records.push(noOld);
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    const results = await processor.process(changes(records), processContext(commit));
    const error = (r: RecordResult) => (r.ok ? undefined : (r.error as AggregateInputError));
    expect(results[0]!.ok).toBe(true);
    expect(error(results[1]!)).toBeInstanceOf(PoisonRecordError);
    expect(error(results[1]!)).toMatchObject({
      code: "INVALID_MEASURE_VALUE",
      image: "newImage",
      eventId: "event-1",
    });
    expect(error(results[1]!)!.message).toContain('total is "12 EUR"');
    expect(error(results[2]!)).toMatchObject({ code: "INVALID_BUCKET_DATE", image: "newImage" });
    expect(error(results[2]!)!.message).toContain('orderDate is "2026-13-45"');
    // o-2's next change waits for its failed one: transient, so it is retried, not dead-lettered.
    expect(classify(error(results[3]!))).toBe("transient");
    expect(results[4]!.ok).toBe(true);
    expect(error(results[5]!)).toMatchObject({ code: "MISSING_IMAGE" });
    for (const index of [1, 2, 5]) expect(classify(error(results[index]!))).toBe("permanent");
    expect(calls[0]!.events.map((e) => e.meta.eventId)).toEqual(["event-0", "event-4"]);
  });

  it("fails the changes feeding a sum beyond 38 significant digits, and only those", async () => {
    const events = changes([
      orderRecord(0, { after: paid("o-1", "9".repeat(38)) }),
      orderRecord(1, { after: paid("o-2", "0.1") }),
      orderRecord(2, { after: paid("o-3", "3", "2026-11-22") }),
    ]);
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    const results = await processor.process(events, processContext(commit));
    expect(results.map((r) => (r.ok ? "ok" : (r.error as AggregateInputError).code))).toEqual([
      "SUM_OUT_OF_RANGE",
      "SUM_OUT_OF_RANGE",
      "ok",
    ]);
    expect(calls[0]!.events.map((e) => e.meta.eventId)).toEqual(["event-2"]);
  });

  it("commits a change that touches no aggregate too, so its checkpoint moves with the rest", async () => {
    const events = changes([
      orderRecord(0, { after: { ...paid("o-1", "3"), status: "cancelled" } }),
    ]);
    const { commit, calls } = recordingCommit();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    expect(await processor.process(events, processContext(commit))).toEqual([{ ok: true }]);
    expect(calls).toEqual([{ writes: [], events }]);
  });

  it("commits nothing once the invocation's deadline has passed, and says so", async () => {
    const events = changes([orderRecord(0, { after: paid("o-1", "3") })]);
    const { commit, calls } = recordingCommit();
    const ctx = processContext(commit);
    const controller = new AbortController();
    controller.abort();
    const processor = aggregate<Order>({ ...dailySales, table: "Aggregates", client });
    const [result] = await processor.process(events, { ...ctx, signal: controller.signal });
    expect(calls).toEqual([]);
    expect(classify((result as { error: unknown }).error)).toBe("transient");
  });

  it("refuses definitions that cannot name attributes or shards", () => {
    const base = { ...dailySales, table: "Aggregates", client };
    expect(() => aggregate({ ...base, measures: { pk: count() } })).toThrow(/"pk"/);
    expect(() => aggregate({ ...base, measures: { "a b": count() } })).toThrow(/"a b"/);
    expect(() => aggregate({ ...base, measures: {} })).toThrow(/at least one measure/);
    expect(() => aggregate({ ...base, shards: 0 })).toThrow(/shards/);
    expect(() => aggregate({ ...base, bucket: { unit: "week" } as never })).toThrow(/unit/);
    expect(() =>
      aggregate({ ...base, measures: { s: sum((o: Order) => o.total as number) } }),
    ).not.toThrow();
  });
});
