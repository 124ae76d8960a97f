// Index calls for 1,000 stream records (batches of 100 over 50 distinct orders) against the
// OpenSearch contract server: searchIndex (one _bulk per batch, each order's last change only)
// vs the naive handler that makes one index or delete call per record. Both use external
// versions; each runs a first delivery, then Lambda delivers every batch again. Calls are counted
// at the server; wall time is the median of 3 rounds after a warm-up, over local HTTP.
import type * as Processors from "../../packages/processors/src/index.js";
import { startContractServer } from "../../packages/processors/test/search-index-contract-server.ts";
import {
  type Order,
  order,
  orderChange,
  orderDocument,
  orderId,
  orderSearch,
} from "../../packages/processors/test/search-index-fixtures.ts";
import type * as Runtime from "../../packages/runtime/src/index.js";
import type * as Testing from "../../packages/testing/src/index.js";
import { loaderFrom, median } from "./support.ts";

// The built packages and the OpenSearch client, resolved from the processors package.
const load = loaderFrom("processors");

const RECORDS = 1_000;
const BATCH = 100;
const ITEMS = 50;
const ROUNDS = 3;
const STATUSES = ["pending", "paid", "shipped", "delivered"] as const;

type StreamRecord = ReturnType<typeof Testing.streamRecord>;

/** Record i changes order i mod 50: an insert first, then status changes, one second per batch. */
function records(build: typeof Testing.streamRecord): StreamRecord[] {
  const latest = new Map<number, Order>();
  return Array.from({ length: RECORDS }, (_, i) => {
    const n = i % ITEMS;
    const before = latest.get(n);
    const after = order(n, { status: STATUSES[Math.floor(i / ITEMS) % STATUSES.length]! });
    latest.set(n, after);
    return build(
      orderChange(i, before, after, { createdAt: 1_796_120_000 + Math.floor(i / BATCH) }),
    );
  });
}

const batches = (all: StreamRecord[]) =>
  Array.from({ length: RECORDS / BATCH }, (_, b) => ({
    Records: all.slice(b * BATCH, (b + 1) * BATCH),
  }));

type Delivery = (event: { Records: StreamRecord[] }) => Promise<{ batchItemFailures: unknown[] }>;

interface Measure {
  calls: number;
  /** Index and delete operations sent, in bulks or alone. */
  writes: number;
  ms: number;
}

export default async function bench(): Promise<void> {
  const processors = await load<typeof Processors>("@sluice/processors");
  const runtime = await load<typeof Runtime>("@sluice/runtime");
  const testing = await load<typeof Testing>("@sluice/testing");
  const server = await startContractServer();
  const client = processors.openSearchClient({ node: server.url });
  const all = records(testing.streamRecord);

  async function deliver(handler: Delivery): Promise<Measure> {
    const before = { requests: server.requests.length, bulks: server.bulkCalls.length };
    const started = performance.now();
    for (const event of batches(all)) {
      const response = await handler(event as never);
      if (response.batchItemFailures.length > 0) {
        throw new Error("A batch failed in the benchmark.");
      }
    }
    const ms = performance.now() - started;
    const bulks = server.bulkCalls.slice(before.bulks);
    const calls = server.requests.length - before.requests;
    const bulkItems = bulks.reduce((sum, call) => sum + call.items.length, 0);
    return { calls, writes: bulkItems + calls - bulks.length, ms };
  }

  const bulk = (index: string): Delivery =>
    runtime.streamHandler<Order>({
      pipeline: "bench",
      processors: [
        processors.searchIndex<Order>({
          ...orderSearch,
          sink: processors.openSearchSink({ client }),
          index,
        }),
      ],
      metrics: false,
      logger: { level: "error" },
    }) as never;

  const naive = (index: string): Delivery =>
    runtime.streamHandler<Order>({
      pipeline: "bench",
      processor: "naive",
      handle: async (change) => {
        const id = orderId(change.keys);
        const version = processors.streamVersion(change) as never;
        try {
          if (change.kind === "remove") {
            await client.delete({ index, id, version, version_type: "external" });
          } else {
            const body = orderDocument(change.newImage!)!;
            await client.index({ index, id, body, version, version_type: "external" });
          }
        } catch (error) {
          // 409: the index already holds this version or a newer one.
          if ((error as { statusCode?: number }).statusCode !== 409) throw error;
        }
      },
      metrics: false,
      logger: { level: "error" },
    }) as never;

  try {
    await deliver(bulk("warm-bulk"));
    await deliver(naive("warm-naive"));
    const results = {
      bulk: { first: [] as Measure[], again: [] as Measure[] },
      naive: { first: [] as Measure[], again: [] as Measure[] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, make] of [
        ["bulk", bulk],
        ["naive", naive],
      ] as const) {
        const handler = make(`orders-${name}-${round}`);
        results[name].first.push(await deliver(handler));
        results[name].again.push(await deliver(handler));
        const stored = server.documents(`orders-${name}-${round}`);
        if (stored.size !== ITEMS)
          throw new Error(`${name} indexed ${stored.size} orders, not ${ITEMS}.`);
      }
    }

    const row = (system: string, delivery: string, measures: Measure[]) => {
      const calls = median(measures.map((m) => m.calls));
      return {
        system,
        delivery,
        "index calls": calls,
        "per 1,000 records": Math.round((calls / RECORDS) * 1_000),
        "per batch": Number((calls / (RECORDS / BATCH)).toFixed(1)),
        "documents sent": median(measures.map((m) => m.writes)),
        "wall ms (median)": Number(median(measures.map((m) => m.ms)).toFixed(1)),
      };
    };
    const rows = [
      row("searchIndex (_bulk)", "first", results.bulk.first),
      row("searchIndex (_bulk)", "redelivery", results.bulk.again),
      row("one call per record", "first", results.naive.first),
      row("one call per record", "redelivery", results.naive.again),
    ];
    console.log(
      `${RECORDS} records, batches of ${BATCH}, ${ITEMS} distinct orders, OpenSearch contract server, median of ${ROUNDS} rounds`,
    );
    console.table(rows);
    for (const delivery of ["first", "redelivery"]) {
      const b = rows.find((r) => r.system.startsWith("searchIndex") && r.delivery === delivery)!;
      const n = rows.find((r) => r.system.startsWith("one call") && r.delivery === delivery)!;
      console.log(
        `${delivery}: one call per record makes ${(n["index calls"] / b["index calls"]).toFixed(0)}x the index calls and takes ${(n["wall ms (median)"] / b["wall ms (median)"]).toFixed(1)}x the time of searchIndex`,
      );
    }
  } finally {
    await client.close();
    await server.close();
  }
}
