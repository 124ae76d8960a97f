// Shared by the aggregate tests: example-shop orders as stream records and change events, the
// daily-sales definition and its tables, and a process context for calling a batch processor
// directly.
import {
  CreateTableCommand,
  DynamoDBClient,
  type AttributeValue as SdkAttributeValue,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { LocalStackConfig } from "@sluice/local";
import type { LocalTestStack } from "@sluice/local/testing";
import {
  type AttributeMap,
  type AttributeValue,
  type ChangeEvent,
  canonicalNumber,
  type DynamoDBStreamRecord,
  decodeLambdaEvent,
  isDecimal,
} from "@sluice/records";
import { checkpointTableInput, createLogger, type ProcessContext } from "@sluice/runtime";
import { streamRecord } from "@sluice/testing";
import {
  type AggregateDefinition,
  aggregateTableInput,
  count,
  max,
  min,
  sum,
} from "../src/index.js";

/** An order of the example shop as the decoder gives it (numbers lossless). */
export interface Order {
  PK: string;
  SK: string;
  orderId?: string;
  status?: string;
  total?: unknown;
  currency?: string;
  orderDate?: unknown;
}

export interface OrderFields {
  customer: string;
  order: string;
  status: string;
  /** N text, or any attribute value to send bad data. */
  total?: string | AttributeValue;
  /** ISO text, or epoch seconds or milliseconds. */
  orderDate?: string | number;
  currency?: string;
}

export const orderKeys = (customer: string, order: string): AttributeMap => ({
  PK: { S: `CUSTOMER#${customer}` },
  SK: { S: `ORDER#${order}` },
});

export function orderImage(fields: OrderFields): AttributeMap {
  const image: AttributeMap = {
    ...orderKeys(fields.customer, fields.order),
    orderId: { S: fields.order },
    status: { S: fields.status },
    currency: { S: fields.currency ?? "EUR" },
  };
  if (fields.total !== undefined) {
    image.total = typeof fields.total === "string" ? { N: fields.total } : fields.total;
  }
  if (fields.orderDate !== undefined) {
    image.orderDate =
      typeof fields.orderDate === "number"
        ? { N: String(fields.orderDate) }
        : { S: fields.orderDate };
  }
  return image;
}

/** Order images and keys as the SDK types them, to write to a table (they hold only S and N). */
export const orderItem = (fields: OrderFields) =>
  orderImage(fields) as Record<string, SdkAttributeValue>;
export const orderItemKey = (customer: string, order: string) =>
  orderKeys(customer, order) as Record<string, SdkAttributeValue>;

/** A stream record of one order's change: insert (after only), modify (both), remove (before only). */
export function orderRecord(
  index: number,
  change: { before?: OrderFields; after?: OrderFields; createdAt?: number },
): DynamoDBStreamRecord {
  const fields = (change.after ?? change.before)!;
  return streamRecord({
    index,
    keys: orderKeys(fields.customer, fields.order),
    ...(change.before && { oldImage: orderImage(change.before) }),
    ...(change.after && { newImage: orderImage(change.after) }),
    ...(change.createdAt !== undefined && { createdAt: change.createdAt }),
  });
}

/** Decodes records as Lambda would hand them to the runtime; fails the test on a decode error. */
export function changes(records: DynamoDBStreamRecord[]): ChangeEvent<Order>[] {
  const { events, failures } = decodeLambdaEvent<Order>({ Records: records });
  if (failures.length > 0) throw failures[0]!.error;
  return events;
}

/** Daily sales by status, as in the example shop: count and sum of totals, smallest and largest. */
export const dailySales = {
  name: "daily-sales",
  key: (order: Order) => (order.SK.startsWith("ORDER#") ? order.status : undefined),
  where: (order: Order) => order.status !== "cancelled",
  bucket: { attribute: "orderDate", unit: "day" },
  measures: {
    orders: count(),
    revenue: sum("total"),
    smallest: min("total"),
    largest: max("total"),
  },
} satisfies AggregateDefinition<Order>;

/** A fresh aggregate table and checkpoint table on the local stack. */
export async function createTables(stack: LocalTestStack) {
  const aggregates = stack.uniqueName("aggregates");
  const checkpoints = stack.uniqueName("checkpoints");
  await stack.clients.dynamodb.send(new CreateTableCommand(aggregateTableInput(aggregates)));
  await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(checkpoints)));
  return { aggregates, checkpoints };
}

/** A process context as the runtime builds it, with the given commit (or none). */
export function processContext(commit?: ProcessContext["commit"]): ProcessContext {
  return {
    pipeline: "test",
    processor: "daily-sales",
    attempt: 1,
    signal: new AbortController().signal,
    log: silentLogger,
    ...(commit && { commit }),
  };
}

/**
 * A DynamoDB client for the local stack that counts requests per command (each HTTP attempt),
 * and can lose the response of chosen TransactWriteItems calls: the transaction is applied, and
 * the caller sees a dropped connection, as after a network failure.
 */
export function countingClient(
  config: LocalStackConfig,
  options: { loseResponseOf?: (transaction: number) => boolean } = {},
) {
  const client = new DynamoDBClient({
    region: config.region,
    credentials: config.credentials,
    endpoint: config.endpoints.dynamodb!,
  });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? "unknown").replace(/Command$/, "");
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    // The deserialize step runs once per HTTP attempt, below the SDK's retries.
    { step: "deserialize", name: "countRequests" },
  );
  let transactions = 0;
  let lost = 0;
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = (async (command: unknown) => {
    const output = await send(command);
    if (command instanceof TransactWriteItemsCommand && options.loseResponseOf?.(++transactions)) {
      lost++;
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    return output;
  }) as typeof client.send;
  return { client, counts, lost: () => lost };
}

/** A number the reader returned (number, bigint or Decimal) as canonical text, to compare exactly. */
export const numberText = (value: unknown): string =>
  canonicalNumber(isDecimal(value) ? value.value : String(value));

export const lambdaContext = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "test" };

export const silentLogger = createLogger({ sink: () => {} });
