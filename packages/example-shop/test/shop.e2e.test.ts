// The shop end to end: a small history of customers, orders, carts and sessions written to a
// DynamoDB Local table, its stream read by one local event source mapping per subscriber with
// the pipeline's settings, each running the app's processor definitions on local clients. Then
// the daily sales are compared with a recomputation from the table, and every other subscriber's
// effect with what the history did.
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { sqsDeadLetterRouter } from "@sluice/dlq";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { eventually, ttlSweepTimeoutMs, useLocalStack } from "@sluice/local/testing";
import { mappingSettings } from "@sluice/pipeline";
import { aggregateTableInput, embeddedSink, readAuditArchive } from "@sluice/processors";
import { type AttributeMap, decodeImage } from "@sluice/records";
import {
  checkpointTableInput,
  DynamoDBCheckpointStore,
  type Processor,
  streamHandler,
} from "@sluice/runtime";
import { afterAll, expect, it } from "vitest";
import { dailySalesCells, scan as scanTable } from "../src/demo/checks.js";
import { type LiveOrder, orderItem, orderKey } from "../src/demo/traffic.js";
import type { Order, OrderStatus } from "../src/model.js";
import { shop } from "../src/pipeline.js";
import { auditProcessor } from "../src/processors/audit.js";
import { dailySalesProcessor } from "../src/processors/daily-sales.js";
import { orderEventSource, orderEventsProcessor } from "../src/processors/order-events.js";
import {
  orderDocument,
  orderSearchProcessor,
  orderSearchSchema,
  ordersIndex,
} from "../src/processors/order-search.js";
import { ttlArchiveProcessor } from "../src/processors/ttl-archive.js";
import { type Stores, type SubscriberName, subscriberConfig } from "../src/subscriber.js";

const stack = useLocalStack();
const { dynamodb, eventbridge, s3, sqs } = stack.clients;
const mappings: EventSourceMapping[] = [];
afterAll(async () => {
  await Promise.all(mappings.map((mapping) => mapping.stop()));
});

type Item = Record<string, AttributeValue>;
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number | string): AttributeValue => ({ N: String(value) });

const catalogue = [
  { sku: "SKU-TEA-01", price: "4.50" },
  { sku: "SKU-MUG-02", price: "12.90" },
  { sku: "SKU-POT-03", price: "34.00" },
];
const addresses = [
  { street: "Hauptstraße 5", city: "Berlin", postcode: "10115", country: "DE" },
  { street: "221B Baker Street", city: "London", postcode: "NW1 6XE", country: "GB" },
  { street: "Rue de Rivoli 12", city: "Paris", postcode: "75001", country: "FR" },
];
// One order date has an offset and falls on the 22nd in UTC.
const orderDates = [
  "2026-11-20T09:15:00Z",
  "2026-11-21T14:02:00Z",
  "2026-11-21T23:30:00-02:00",
  "2026-11-22T18:45:00Z",
];

/** What the history did: its writes, the items TTL deleted, the events due, as `type id from>to`. */
interface History {
  writes: number;
  expired: string[];
  events: string[];
}

function newOrders(): LiveOrder[] {
  return Array.from({ length: 12 }, (_, index): LiveOrder => {
    const n = index + 1;
    const lines = catalogue
      .slice(0, 1 + (n % 3))
      .map((product, k) => ({ ...product, qty: 1 + ((n + k) % 3) }));
    return {
      orderId: `o-${n}`,
      customerId: `c-${1 + (n % 3)}`,
      orderDate: orderDates[n % orderDates.length]!,
      status: "pending",
      currency: n % 4 === 0 ? "USD" : "EUR",
      cents: lines.reduce((sum, line) => sum + line.qty * Math.round(Number(line.price) * 100), 0),
      lines,
      address: addresses[n % addresses.length]!,
    };
  });
}

/**
 * A shop's week: carts and a session that expired, profiles, live carts and sessions, and twelve
 * orders in rounds (placed, paid, shipped, delivered, one cancelled unpaid, one refunded, one
 * total corrected, one moved to another day, one deleted). Each round writes distinct items at
 * once; an item's writes follow each other, so the stream holds them in order.
 */
function shopWeek(table: string) {
  const history: History = { writes: 0, expired: [], events: [] };
  const write = async (command: PutItemCommand | DeleteItemCommand) => {
    await dynamodb.send(command as PutItemCommand);
    history.writes++;
  };
  const put = (Item: Item) => write(new PutItemCommand({ TableName: table, Item }));
  const round = (writes: Promise<unknown>[]) => Promise.all(writes);
  const now = Math.floor(Date.now() / 1000);
  const cart = (customer: string, sku: string, expiresAt: number) =>
    put({
      PK: S(`CART#${customer}`),
      SK: S(`ITEM#${sku}`),
      qty: N(1),
      price: N("4.50"),
      expiresAt: N(expiresAt),
    });
  const session = (token: string, expiresAt: number) =>
    put({
      PK: S(`SESSION#${token}`),
      SK: S("SESSION"),
      customerId: S("c-1"),
      expiresAt: N(expiresAt),
    });
  const orders = newOrders();
  const setStatus = (order: LiveOrder, status: OrderStatus) => {
    history.events.push(`OrderStatusChanged ${order.orderId} ${order.status}>${status}`);
    if (status === "shipped") history.events.push(`OrderShipped ${order.orderId}`);
    order.status = status;
    return put(orderItem(order));
  };

  /** What expired before the week: written first, alone (see the test). */
  async function expired(): Promise<void> {
    history.expired.push(
      "CART#c-1|ITEM#SKU-TEA-01",
      "CART#c-2|ITEM#SKU-MUG-02",
      "SESSION#tok-1|SESSION",
    );
    await round([
      cart("c-1", "SKU-TEA-01", now - 3_600),
      cart("c-2", "SKU-MUG-02", now - 60),
      session("tok-1", now - 120),
    ]);
  }

  /** The rest, once TTL deleted what expired. */
  async function rest(): Promise<History> {
    await eventually(
      async () => {
        const keys = new Set((await scan(table)).map((item) => `${item.PK?.S}|${item.SK?.S}`));
        return history.expired.every((key) => !keys.has(key));
      },
      "TTL deleted the expired carts and session",
      ttlSweepTimeoutMs,
    );
    await round([
      ...["c-1", "c-2", "c-3"].map((customer) =>
        put({
          PK: S(`CUSTOMER#${customer}`),
          SK: S("PROFILE"),
          name: S(customer),
          tier: S("basic"),
        }),
      ),
      cart("c-3", "SKU-POT-03", now + 86_400),
      session("tok-2", now + 3_600),
      ...orders.map((order) => put(orderItem(order))),
    ]);
    await round(
      orders.filter((order) => order.orderId !== "o-6").map((order) => setStatus(order, "paid")),
    );
    // Cancelled unpaid; a discount after payment and a date fixed by support change no status.
    orders[4]!.cents -= 500;
    orders[9]!.orderDate = "2026-11-20T11:00:00Z";
    await round([
      setStatus(orders[5]!, "cancelled"),
      put(orderItem(orders[4]!)),
      put(orderItem(orders[9]!)),
    ]);
    const paid = orders.filter((order) => order.status === "paid");
    await round(paid.slice(0, 7).map((order) => setStatus(order, "shipped")));
    const shipped = orders.filter((order) => order.status === "shipped");
    await round([
      ...shipped.slice(0, 4).map((order) => setStatus(order, "delivered")),
      setStatus(paid.at(-1)!, "cancelled"),
      put({ PK: S("CUSTOMER#c-1"), SK: S("PROFILE"), name: S("c-1"), tier: S("gold") }),
    ]);
    await write(new DeleteItemCommand({ TableName: table, Key: orderKey(orders[7]!) }));
    return history;
  }

  return { expired, rest };
}

const scan = (table: string) => scanTable(dynamodb, table);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

// DynamoDB Local's TTL sweep can take long in a busy run (ttlSweepTimeoutMs).
it("runs every subscriber's processors over a shop's history: daily sales equal a recomputation from the table", {
  timeout: 150_000,
}, async () => {
  const since = new Date(Date.now() - 3_600_000);
  const orders = await stack.createTable({
    stream: "NEW_AND_OLD_IMAGES",
    ttlAttribute: "expiresAt",
  });
  // DynamoDB Local sweeps expired items about a second after TTL is enabled, then about every
  // 10 s, and a sweep may stop short of expired items behind live ones: what expired is written
  // first and alone, and is gone by the time the rest of the week starts.
  const week = shopWeek(orders.tableName);
  await week.expired();
  const aggregates = stack.uniqueName("daily-sales");
  await dynamodb.send(new CreateTableCommand(aggregateTableInput(aggregates)));
  const checkpoints = stack.uniqueName("checkpoints");
  // No TTL on test tables: DynamoDB Local's TTL sweep slows down for every TTL table in the run.
  await dynamodb.send(new CreateTableCommand(checkpointTableInput(checkpoints)));
  const { bucketName: bucket } = await stack.createBucket();
  const deadLetters = await stack.createQueue();
  // The bus, and a queue that receives everything the shop publishes on it.
  const eventBusName = stack.uniqueName("shop-events");
  const published = await stack.createQueue();
  await eventbridge.send(new CreateEventBusCommand({ Name: eventBusName }));
  await eventbridge.send(
    new PutRuleCommand({
      Name: "everything",
      EventBusName: eventBusName,
      EventPattern: JSON.stringify({ source: [orderEventSource, "sluice.ttl"] }),
    }),
  );
  await eventbridge.send(
    new PutTargetsCommand({
      Rule: "everything",
      EventBusName: eventBusName,
      Targets: [{ Id: "queue", Arn: published.queueArn }],
    }),
  );
  const search = embeddedSink({ schema: orderSearchSchema });

  const local: Stores = {
    checkpoints: () => new DynamoDBCheckpointStore({ client: dynamodb, tableName: checkpoints }),
    deadLetters: () => sqsDeadLetterRouter({ sqs, queueUrl: deadLetters.queueUrl }),
  };
  const subscribe = async <T>(name: SubscriberName, processor: Processor<T>) => {
    const subscriber = shop.subscribers[name];
    const mapping = createEventSourceMapping({
      streamArn: orders.streamArn!,
      clients: stack.clients,
      functionName: name,
      handler: streamHandler({
        ...subscriberConfig(name, [processor], local),
        logger: { sink: () => {} },
        metrics: false,
      }),
      ...mappingSettings(subscriber, deadLetters.queueArn),
      // The test does not wait out audit's minute-long window for a batch.
      MaximumBatchingWindowInSeconds: 0,
      timeout: subscriber.timeoutSeconds,
    });
    mappings.push(mapping);
    await mapping.start();
  };
  await subscribe("daily-sales", dailySalesProcessor({ client: dynamodb, table: aggregates }));
  await subscribe("audit", auditProcessor({ s3, bucket }));
  await subscribe("order-search", orderSearchProcessor(search));
  await subscribe(
    "ttl-archive",
    ttlArchiveProcessor({ s3, bucket, eventBridge: eventbridge, eventBusName }),
  );
  await subscribe("order-events", orderEventsProcessor({ client: eventbridge, eventBusName }));

  const history = await week.rest();
  const expected = history.events.length + history.expired.length;
  const messages = await stack.receiveMessages(published.queueUrl, expected);
  await Promise.all(mappings.map((mapping) => mapping.waitForIdle()));
  const until = new Date(Date.now() + 3_600_000);

  // Nothing failed: no dead letter, no failure record, no invocation that threw.
  for (const mapping of mappings) {
    expect(mapping.stats().failedInvocations, mapping.stats().lastError).toBe(0);
    expect(mapping.destinationMessages).toEqual([]);
  }
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: deadLetters.queueUrl, WaitTimeSeconds: 0 }),
  );
  expect(Messages).toEqual([]);

  // Daily sales: per UTC day, status and currency, the orders the table holds now.
  const { truth, actual } = await dailySalesCells(dynamodb, {
    orders: orders.tableName,
    aggregates,
  });
  const table = (await scan(orders.tableName)).filter((item) => item.SK?.S?.startsWith("ORDER#"));
  expect(actual).toEqual(truth);
  expect(truth.size).toBeGreaterThan(5);

  // Search: one document per order in the table, as the mapping makes it; the deleted one absent.
  const documents = Object.fromEntries(
    [...search.documents(ordersIndex)].map(([id, stored]) => [id, stored.document]),
  );
  expect(documents).toEqual(
    Object.fromEntries(
      table.map((item) => {
        const order = decodeImage<Order>(item as AttributeMap);
        return [order.orderId, orderDocument(order)];
      }),
    ),
  );
  expect(documents["o-8"]).toBeUndefined();

  // Events: each status change and shipment once, and an ItemExpired per expired cart or session.
  const bodies = messages.map((message) => JSON.parse(message.Body!));
  expect(bodies).toHaveLength(expected);
  const orderEvents = bodies
    .filter((body) => body.source === orderEventSource)
    .map(({ "detail-type": type, detail }) =>
      type === "OrderShipped"
        ? `${type} ${detail.orderId}`
        : `${type} ${detail.orderId} ${detail.from}>${detail.to}`,
    );
  expect(orderEvents.sort()).toEqual([...history.events].sort());
  const expiredEvents = bodies
    .filter((body) => body["detail-type"] === "ItemExpired")
    .map(({ detail }) => `${detail.keys.PK}|${detail.keys.SK}`);
  expect(expiredEvents.sort()).toEqual([...history.expired].sort());

  // Audit: every change once, under the pipeline's table name; TTL's in the expired archive too.
  const audit = await collect(
    readAuditArchive({ s3, bucket, table: shop.table.name, since, until }),
  );
  expect(new Set(audit.map((change) => change.meta.eventId)).size).toBe(
    history.writes + history.expired.length,
  );
  expect(audit).toHaveLength(history.writes + history.expired.length);
  const archived = await collect(
    readAuditArchive({ s3, bucket, prefix: "expired", table: shop.table.name, since, until }),
  );
  expect(archived.map((change) => `${change.keys.PK}|${change.keys.SK}`).sort()).toEqual(
    [...history.expired].sort(),
  );
});
