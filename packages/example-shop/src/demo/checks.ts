import { isDeepStrictEqual } from "node:util";
import { type AttributeValue, type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { aggregateReader, type EmbeddedSink, readAuditArchive } from "@sluice/processors";
import { type AttributeMap, decodeImage } from "@sluice/records";
import type { Order } from "../model.js";
import { shop } from "../pipeline.js";
import { dailySales } from "../processors/daily-sales.js";
import { orderDocument, type orderSearchSchema, ordersIndex } from "../processors/order-search.js";

type Item = Record<string, AttributeValue>;

/** One line of the closing report. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export async function scan(dynamodb: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

const ordersOf = (items: Item[]) => items.filter((item) => item.SK?.S?.startsWith("ORDER#"));

type Sums = { orders: number; cents: number };

/**
 * Daily sales both ways, per `status#currency day` cell: recomputed from the orders the table
 * holds now, and as the aggregates table says (every cell it holds, all shards, plus every cell
 * the recomputation has; empty ones left out).
 */
export async function dailySalesCells(
  dynamodb: DynamoDBClient,
  tables: { orders: string; aggregates: string },
): Promise<{ truth: Map<string, Sums>; actual: Map<string, Sums>; orders: number }> {
  const orders = ordersOf(await scan(dynamodb, tables.orders));
  const truth = new Map<string, Sums>();
  for (const item of orders) {
    const day = new Date(item.orderDate!.S!).toISOString().slice(0, 10);
    const cell = `${item.status!.S}#${item.currency!.S} ${day}`;
    const sums = truth.get(cell) ?? { orders: 0, cents: 0 };
    sums.orders += 1;
    sums.cents += Math.round(Number(item.total!.N) * 100);
    truth.set(cell, sums);
  }
  const cells = new Set(truth.keys());
  for (const item of await scan(dynamodb, tables.aggregates)) {
    cells.add(`${item.pk!.S!.slice(item.pk!.S!.indexOf("#") + 1)} ${item.sk!.S}`);
  }
  const reader = aggregateReader({
    ...dailySales,
    client: dynamodb,
    table: tables.aggregates,
    consistentRead: true,
  });
  const actual = new Map<string, Sums>();
  for (const cell of cells) {
    const [key, day] = cell.split(" ") as [string, string];
    const values = await reader.get(key, day);
    const sums = {
      orders: Number(values?.orders ?? 0),
      cents: Math.round(Number(values?.revenue ?? 0) * 100),
    };
    if (sums.orders !== 0 || sums.cents !== 0) actual.set(cell, sums);
  }
  return { truth, actual, orders: orders.length };
}

/** Daily sales, cell by cell, against a recomputation from the orders the table holds now. */
export async function checkDailySales(
  dynamodb: DynamoDBClient,
  tables: { orders: string; aggregates: string },
): Promise<Check> {
  const { truth, actual, orders } = await dailySalesCells(dynamodb, tables);
  const cells = new Set([...truth.keys(), ...actual.keys()]);
  const show = (sums: Sums | undefined) =>
    `${sums?.orders ?? 0} orders/${(sums?.cents ?? 0) / 100}`;
  const wrong = [...cells]
    .filter((cell) => JSON.stringify(truth.get(cell)) !== JSON.stringify(actual.get(cell)))
    .map((cell) => `${cell}: ${show(actual.get(cell))} vs ${show(truth.get(cell))}`);
  return {
    name: "daily sales = recomputation from the table",
    ok: wrong.length === 0 && truth.size > 0,
    detail:
      wrong.length === 0
        ? `${truth.size} cells (status × currency × day) over ${orders} orders, all equal`
        : `${wrong.length} of ${cells.size} cells differ: ${wrong.slice(0, 3).join("; ")}`,
  };
}

/** The audit archive holds every change of the table once; the expired archive each TTL deletion. */
export async function checkArchives(
  s3: S3Client,
  bucket: string,
  expected: { changes: number; expired: string[] },
  window: { since: Date; until: Date },
): Promise<Check[]> {
  const read = async (prefix?: string) => {
    const changes = [];
    for await (const change of readAuditArchive({
      s3,
      bucket,
      table: shop.table.name,
      ...window,
      ...(prefix && { prefix }),
    })) {
      changes.push(change);
    }
    return changes;
  };
  const { KeyCount = 0 } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const audit = await read();
  const unique = new Set(audit.map((change) => change.meta.eventId)).size;
  const expired = await read("expired");
  const expiredKeys = expired.map((change) => `${change.keys.PK}|${change.keys.SK}`).sort();
  const wantExpired = [...expected.expired].sort();
  return [
    {
      name: "audit archive: every change once",
      ok: audit.length === expected.changes && unique === expected.changes,
      detail: `${KeyCount} objects, ${audit.length} records (${unique} distinct) for ${expected.changes} changes`,
    },
    {
      name: "expired carts and sessions archived",
      ok: JSON.stringify(expiredKeys) === JSON.stringify(wantExpired),
      detail: `${expired.length} archived of ${wantExpired.length} expired by TTL`,
    },
  ];
}

/** The embedded index holds each order of the table as its document, and answers searches. */
export async function checkSearch(
  dynamodb: DynamoDBClient,
  table: string,
  sink: EmbeddedSink<typeof orderSearchSchema>,
): Promise<{ check: Check; samples: string[] }> {
  const orders = ordersOf(await scan(dynamodb, table)).map((item) =>
    decodeImage<Order>(item as AttributeMap),
  );
  const documents = sink.documents(ordersIndex);
  const wrong = orders.filter(
    (order) => !isDeepStrictEqual(documents.get(order.orderId)?.document, orderDocument(order)),
  );
  const samples: string[] = [];
  let samplesOk = true;
  const sample = async (label: string, params: Parameters<typeof sink.search>[1], want: number) => {
    const found = await sink.search(ordersIndex, { ...params, limit: 1_000 });
    samples.push(`${label}: ${found.count} (table: ${want})`);
    if (found.count !== want) samplesOk = false;
  };
  await sample(
    '"Berlin"',
    { term: "Berlin", properties: ["shippingAddress.city"] },
    orders.filter((order) => order.shippingAddress.city === "Berlin").length,
  );
  await sample(
    "status shipped",
    { term: "", where: { status: { eq: "shipped" } } },
    orders.filter((order) => order.status === "shipped").length,
  );
  await sample(
    "total ≥ 50 USD",
    { term: "", where: { currency: { eq: "USD" }, total: { gte: 50 } } },
    orders.filter((order) => order.currency === "USD" && Number(order.total) >= 50).length,
  );
  return {
    check: {
      name: "search index = orders in the table",
      ok: wrong.length === 0 && documents.size === orders.length && samplesOk,
      detail: `${documents.size} documents for ${orders.length} orders${wrong.length ? `, ${wrong.length} differ` : ""}; ${samples.join("; ")}`,
    },
    samples,
  };
}

/**
 * Reads what the event bus delivered to its consumer queue: at least `count` messages, then on
 * until a receive comes back empty, so a copy delivered twice is counted too; or until time is up.
 */
export async function receiveEvents(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs: number,
): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  let drained = false;
  while ((messages.length < count || !drained) && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    drained = Messages.length === 0;
    for (const message of Messages) {
      messages.push(message);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
  return messages;
}

/** `OrderStatusChanged o-1 pending>paid` / `OrderShipped o-1` / `ItemExpired PK|SK`. */
export function describeEvent(message: Message): string {
  const { "detail-type": type, detail } = JSON.parse(message.Body ?? "{}");
  if (type === "ItemExpired") return `${type} ${detail.keys.PK}|${detail.keys.SK}`;
  if (type === "OrderShipped") return `${type} ${detail.orderId}`;
  return `${type} ${detail.orderId} ${detail.from}>${detail.to}`;
}

/** Each expected event delivered exactly once, nothing else. */
export function checkEvents(name: string, delivered: string[], expected: string[]): Check {
  const want = [...expected].sort();
  const got = [...delivered].sort();
  const missing = want.filter((event) => !got.includes(event));
  const extra = got.length - (want.length - missing.length);
  return {
    name,
    ok: JSON.stringify(got) === JSON.stringify(want),
    detail: `${got.length} delivered of ${want.length} expected${missing.length ? `, missing ${missing.slice(0, 3).join(", ")}` : ""}${extra > 0 ? `, ${extra} extra` : ""}`,
  };
}
