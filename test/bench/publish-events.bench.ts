// PutEvents calls for 1,000 stream records (batches of 100, one event per change) against the
// local EventBridge, two ways: the publishEvents batch processor, and the naive handler that
// sends one PutEvents per record. Calls are counted at the SDK client (one middleware below the
// retry layer), time on the wall clock. A second shape, one hot item, shows the price of
// publishEvents' per-item order (an item's next event waits for its previous one) and what
// `orderPerItem: false` saves there.
import type * as Local from "../../packages/local/src/index.js";
import type * as Processors from "../../packages/processors/src/index.js";
import type * as Records from "../../packages/records/src/index.js";
import type * as Runtime from "../../packages/runtime/src/index.js";
import type * as Testing from "../../packages/testing/src/index.js";
import { type Client, loaderFrom, median } from "./support.ts";

type Sdk = {
  EventBridgeClient: new (config: object) => Client;
  CreateEventBusCommand: new (input: object) => unknown;
  PutEventsCommand: new (input: object) => unknown;
};
type StreamRecord = ReturnType<typeof Testing.streamRecord>;
type Order = { orderId: string; status: string; step: number };

// Everything resolves from the processors package (built dist).
const load = loaderFrom("processors");

const RECORDS = 1_000;
const BATCH = 100;
const ROUNDS = 3;

/** Record i changes the status of order i mod `items`: one event per change. */
function records(round: string, items: number, build: typeof Testing.streamRecord) {
  return Array.from({ length: RECORDS }, (_, i): StreamRecord => {
    const orderId = `o-${i % items}`;
    const keys = { PK: { S: "CUSTOMER#c1" }, SK: { S: `ORDER#${orderId}` } };
    const image = (status: string, step: number) => ({
      ...keys,
      orderId: { S: orderId },
      status: { S: status },
      step: { N: String(step) },
    });
    return build({
      index: i,
      eventId: `${round}-event-${i}`,
      keys,
      oldImage: image(i % 2 ? "paid" : "pending", i - 1),
      newImage: image(i % 2 ? "pending" : "paid", i),
      createdAt: Math.floor(Date.now() / 1000),
    });
  });
}

const toEvent = (change: Records.ChangeEvent<Order>) => ({
  detailType: "OrderStatusChanged",
  detail: { orderId: change.newImage?.orderId, to: change.newImage?.status },
});

const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "bench" };

interface Measure {
  calls: number;
  entries: number;
  ms: number;
}

export default async function bench(): Promise<void> {
  const sdk = await load<Sdk>("@aws-sdk/client-eventbridge");
  const local = await load<typeof Local>("@sluice/local");
  const runtime = await load<typeof Runtime>("@sluice/runtime");
  const testing = await load<typeof Testing>("@sluice/testing");
  const processors = await load<typeof Processors>("@sluice/processors");

  const stack = await local.startLocalStack({ services: ["fauxqs", "eventbridge"] });
  try {
    const counts = { calls: 0, entries: 0 };
    const client = new sdk.EventBridgeClient({
      region: stack.config.region,
      credentials: stack.config.credentials,
      endpoint: stack.config.endpoints.eventbridge,
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutEventsCommand") {
          counts.calls += 1;
          counts.entries += (args as { input: { Entries: unknown[] } }).input.Entries.length;
        }
        return next(args);
      },
      { step: "deserialize", name: "countPutEvents" },
    );
    const eventBusName = "bench-orders";
    await client.send(new sdk.CreateEventBusCommand({ Name: eventBusName }));

    const publishing = (orderPerItem = true) =>
      runtime.streamHandler<Order>({
        pipeline: "bench",
        processors: [
          processors.publishEvents<Order>({
            name: "order-events",
            client: client as never,
            eventBusName,
            source: "shop.orders",
            events: (change) => [toEvent(change)],
            orderPerItem,
          }),
        ],
        metrics: false,
        logger: { level: "error" },
      });
    const naive = () =>
      runtime.streamHandler<Order>({
        pipeline: "bench",
        processor: "naive",
        ordering: "per-item",
        handle: async (change) => {
          const event = toEvent(change);
          await client.send(
            new sdk.PutEventsCommand({
              Entries: [
                {
                  EventBusName: eventBusName,
                  Source: "shop.orders",
                  DetailType: event.detailType,
                  Detail: JSON.stringify(event.detail),
                },
              ],
            }),
          );
        },
        metrics: false,
        logger: { level: "error" },
      });

    const deliver = async (
      handler: Runtime.StreamHandler,
      all: StreamRecord[],
    ): Promise<Measure> => {
      counts.calls = 0;
      counts.entries = 0;
      const started = performance.now();
      for (let b = 0; b < RECORDS / BATCH; b++) {
        const event = { Records: all.slice(b * BATCH, (b + 1) * BATCH) };
        const response = await handler(event as never, context);
        if (response.batchItemFailures.length > 0) throw new Error("A batch failed.");
      }
      return { ...counts, ms: performance.now() - started };
    };

    // A warm-up for both, not measured.
    await deliver(publishing(), records("warm-p", 50, testing.streamRecord));
    await deliver(naive(), records("warm-n", 50, testing.streamRecord));

    const rows = [];
    for (const items of [50, 1]) {
      const measured = {
        publishEvents: [] as Measure[],
        "publishEvents, orderPerItem false": [] as Measure[],
        naive: [] as Measure[],
      };
      for (let round = 0; round < ROUNDS; round++) {
        const all = records(`r${round}-${items}`, items, testing.streamRecord);
        measured.publishEvents.push(await deliver(publishing(), all));
        measured["publishEvents, orderPerItem false"].push(await deliver(publishing(false), all));
        measured.naive.push(await deliver(naive(), all));
      }
      for (const [name, measures] of Object.entries(measured)) {
        if (measures.some((m) => m.entries !== RECORDS)) {
          throw new Error(`${name} put ${measures[0]!.entries} entries, expected ${RECORDS}.`);
        }
        const calls = median(measures.map((m) => m.calls));
        rows.push({
          "distinct items per batch": items,
          system: name,
          "PutEvents calls": calls,
          "calls per 1,000 records": Math.round((calls * 1_000) / RECORDS),
          "entries per call": Number((RECORDS / calls).toFixed(1)),
          "wall ms (median)": Number(median(measures.map((m) => m.ms)).toFixed(1)),
        });
      }
    }
    console.log(
      `${RECORDS} records, batches of ${BATCH}, one event per change, local EventBridge, median of ${ROUNDS} rounds`,
    );
    console.table(rows);
    for (const items of [50, 1]) {
      const p = rows.find(
        (r) => r.system === "publishEvents" && r["distinct items per batch"] === items,
      )!;
      const n = rows.find((r) => r.system === "naive" && r["distinct items per batch"] === items)!;
      console.log(
        `${items} distinct items: the naive handler makes ${(n["PutEvents calls"] / p["PutEvents calls"]).toFixed(1)}x the PutEvents calls of publishEvents and takes ${(n["wall ms (median)"] / p["wall ms (median)"]).toFixed(1)}x the time`,
      );
    }
  } finally {
    await stack.stop();
  }
}
