// Daily sales of the example shop, end to end: orders written to a DynamoDB Local table, its
// stream read by the local event source mapping (bisect on, partial batch responses), the
// aggregate committed with DynamoDB checkpoints while faults are injected: transient errors in
// process(), lost transaction responses, invocations that crash after their work. Then every
// aggregate is compared with a recomputation from a Scan of the orders table.
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { canonicalNumber } from "@sluice/records";
import {
  type BatchProcessor,
  type DeadLetter,
  DynamoDBCheckpointStore,
  streamHandler,
} from "@sluice/runtime";
import { afterEach, expect, it } from "vitest";
import { aggregate, aggregateReader } from "../src/index.js";
import {
  countingClient,
  createTables,
  dailySales,
  numberText,
  type Order,
  orderItem,
  orderItemKey,
  silentLogger,
} from "./aggregate.fixtures.js";

const stack = useLocalStack();
const mappings: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(mappings.splice(0).map((mapping) => mapping.stop()));
});

const statuses = ["pending", "paid", "shipped", "delivered", "cancelled"];
// ISO days, and one with a time and an offset that falls on the 22nd in UTC.
const orderDates = ["2026-11-20", "2026-11-21", "2026-11-22T08:30:00+02:00", "2026-11-23"];

/** A deterministic stream of choices, so a failure can be replayed. */
function choices(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return {
    below: (n: number) => Math.floor(next() * n),
    pick: <V>(values: V[]) => values[Math.floor(next() * values.length)]!,
    total: () => {
      if (next() < 0.05) return "98765432109876543210987654321.12";
      const cents = 1 + Math.floor(next() * 50_000);
      return canonicalNumber(`${cents}e-2`);
    },
  };
}

interface Live {
  customer: string;
  status: string;
  total: string;
  orderDate: string;
  currency: string;
}

/**
 * Writes a history of orders: inserts, status and date moves, new totals, deletes, changes that
 * move nothing, customers that are no orders. Each item's writes go in order, items in parallel.
 * Returns the number of writes, each one a stream record.
 */
async function writeHistory(table: string): Promise<number> {
  const choose = choices(20_261_121);
  const orders = new Map<string, Live>();
  const writes: {
    item: string;
    command: PutItemCommand | UpdateItemCommand | DeleteItemCommand;
  }[] = [];
  const put = (id: string, live: Live) => {
    const Item = orderItem({ ...live, order: id });
    writes.push({ item: id, command: new PutItemCommand({ TableName: table, Item }) });
    orders.set(id, live);
  };
  const set = (id: string, field: keyof Live, value: string) => {
    const live = orders.get(id)!;
    const attribute: AttributeValue = field === "total" ? { N: value } : { S: value };
    const command = new UpdateItemCommand({
      TableName: table,
      Key: orderItemKey(live.customer, id),
      UpdateExpression: "SET #f = :v",
      ExpressionAttributeNames: { "#f": field },
      ExpressionAttributeValues: { ":v": attribute },
    });
    writes.push({ item: id, command });
    orders.set(id, { ...live, [field]: value });
  };
  const remove = (id: string) => {
    const Key = orderItemKey(orders.get(id)!.customer, id);
    writes.push({ item: id, command: new DeleteItemCommand({ TableName: table, Key }) });
    orders.delete(id);
  };
  for (const customer of ["c-0", "c-1"]) {
    const Item = { PK: { S: `CUSTOMER#${customer}` }, SK: { S: "PROFILE" }, name: { S: customer } };
    writes.push({ item: customer, command: new PutItemCommand({ TableName: table, Item }) });
  }
  for (let step = 0; step < 220; step++) {
    if (step === 60) {
      // An order whose total is text: both of its changes are dead-lettered.
      const Item = orderItem({
        customer: "c-9",
        order: "o-bad",
        status: "paid",
        total: { S: "n/a" },
        orderDate: "2026-11-21",
      });
      writes.push({ item: "o-bad", command: new PutItemCommand({ TableName: table, Item }) });
    }
    if (step === 150) {
      const Key = orderItemKey("c-9", "o-bad");
      writes.push({ item: "o-bad", command: new DeleteItemCommand({ TableName: table, Key }) });
    }
    const id = `o-${choose.below(30)}`;
    const live = orders.get(id);
    if (!live) {
      put(id, {
        customer: `c-${choose.below(5)}`,
        status: choose.pick(statuses.slice(0, 2)),
        total: choose.total(),
        orderDate: choose.pick(orderDates),
        currency: "EUR",
      });
      continue;
    }
    const roll = choose.below(100);
    const other = (values: string[], current: string) =>
      choose.pick(values.filter((value) => value !== current));
    if (roll < 35) set(id, "status", other(statuses, live.status));
    else if (roll < 55) set(id, "orderDate", other(orderDates, live.orderDate));
    else if (roll < 75) {
      let total = choose.total();
      while (total === live.total) total = choose.total();
      set(id, "total", total);
    } else if (roll < 88) remove(id);
    else set(id, "currency", live.currency === "EUR" ? "USD" : "EUR");
  }
  const chains = new Map<string, Promise<unknown>>();
  for (const { item, command } of writes) {
    const previous = chains.get(item) ?? Promise.resolve();
    chains.set(
      item,
      previous.then(() => stack.clients.dynamodb.send(command as PutItemCommand)),
    );
  }
  await Promise.all(chains.values());
  return writes.length;
}

/** Daily sales recomputed from the orders in the table: per status and UTC day. */
async function recompute(table: string) {
  const truth = new Map<string, { orders: number; revenue: bigint; totals: bigint[] }>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await stack.clients.dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (!item.SK?.S?.startsWith("ORDER#") || item.status?.S === "cancelled") continue;
      const day = new Date(
        /T/.test(item.orderDate!.S!) ? item.orderDate!.S! : `${item.orderDate!.S!}T00:00:00Z`,
      )
        .toISOString()
        .slice(0, 10);
      const key = `${item.status!.S} ${day}`;
      const cell = truth.get(key) ?? { orders: 0, revenue: 0n, totals: [] };
      truth.set(key, cell);
      // Totals have at most two decimals: count them in hundredths.
      const hundredths = BigInt(canonicalNumber(`${item.total!.N!}e2`));
      cell.orders++;
      cell.revenue += hundredths;
      cell.totals.push(hundredths);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return truth;
}

it("daily sales equal a recomputation from the table after redeliveries, bisection and lost responses", async () => {
  const orders = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
  const { aggregates, checkpoints } = await createTables(stack);

  // The checkpoint store's client carries the transactions: it loses two of their responses.
  const { client, lost } = countingClient(stack.config, {
    loseResponseOf: (n) => n === 3 || n === 11,
  });
  const definition = { ...dailySales, shards: 2 };
  const salesProcessor = aggregate<Order>({ ...definition, table: aggregates, client });
  let calls = 0;
  let thrown = 0;
  const flaky: BatchProcessor<Order> = {
    ...salesProcessor,
    async process(events, ctx) {
      if (++calls % 5 === 2) {
        thrown++;
        throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      }
      return salesProcessor.process(events, ctx);
    },
  };
  const letters: DeadLetter[] = [];
  const handler = streamHandler<Order>({
    pipeline: "shop",
    processors: [flaky],
    checkpoints: new DynamoDBCheckpointStore({ client, tableName: checkpoints }),
    // No retries inside the invocation: every failure goes back to Lambda for redelivery.
    retry: { maxAttempts: 1 },
    deadLetter: async (batch) => {
      letters.push(...batch);
    },
    metrics: false,
    logger: silentLogger,
  });
  // Some invocations crash after their work is done: Lambda retries the whole batch, bisected.
  let invocations = 0;
  let crashed = 0;
  const mapping = createEventSourceMapping({
    streamArn: orders.streamArn!,
    clients: stack.clients,
    handler: async (event, context) => {
      const response = await handler(event, context);
      if (++invocations % 7 === 3) {
        crashed++;
        throw new Error("Runtime exited after the batch was processed");
      }
      return response;
    },
    StartingPosition: "TRIM_HORIZON",
    BatchSize: 40,
    FunctionResponseTypes: ["ReportBatchItemFailures"],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 10,
    timeout: 20,
  });
  mappings.push(mapping);

  const writes = await writeHistory(orders.tableName);
  await mapping.start();
  await mapping.waitForIdle({ timeoutMs: 60_000 });

  const stats = mapping.stats();
  expect(stats.recordsSucceeded).toBe(writes);
  expect(mapping.destinationMessages).toEqual([]);
  // The faults happened.
  expect(stats.bisections).toBeGreaterThan(0);
  expect(lost()).toBe(2);
  expect(thrown).toBeGreaterThan(2);
  expect(crashed).toBeGreaterThan(1);
  // The bad order's insert and delete were dead-lettered once each, with the reason.
  expect(letters.map((l) => l.record.eventName)).toEqual(["INSERT", "REMOVE"]);
  expect(letters.map((l) => l.error.code)).toEqual([
    "INVALID_MEASURE_VALUE",
    "INVALID_MEASURE_VALUE",
  ]);

  const truth = await recompute(orders.tableName);
  const reader = aggregateReader({
    ...definition,
    client: stack.clients.dynamodb,
    table: aggregates,
    consistentRead: true,
  });
  let compared = 0;
  for (const status of statuses.slice(0, 4)) {
    const stored = await reader.range(status, "2026-11-01", "2026-11-30");
    const days = new Set([
      ...stored.map((r) => r.bucket),
      ...[...truth.keys()].filter((k) => k.startsWith(`${status} `)).map((k) => k.split(" ")[1]!),
    ]);
    for (const day of days) {
      const expected = truth.get(`${status} ${day}`) ?? { orders: 0, revenue: 0n, totals: [] };
      const values = stored.find((r) => r.bucket === day)?.values;
      const sorted = [...expected.totals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const text = (hundredths: bigint | undefined) =>
        hundredths === undefined ? undefined : canonicalNumber(`${hundredths}e-2`);
      expect({
        status,
        day,
        orders: values ? numberText(values.orders) : "0",
        revenue: values ? numberText(values.revenue) : "0",
        smallest: values?.smallest === undefined ? undefined : numberText(values.smallest),
        largest: values?.largest === undefined ? undefined : numberText(values.largest),
      }).toEqual({
        status,
        day,
        orders: String(expected.orders),
        revenue: text(expected.revenue),
        smallest: text(sorted[0]),
        largest: text(sorted.at(-1)),
      });
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(8);
}, 90_000);
