import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type AggregateDefinition, aggregate, count, sum } from "@sluice/processors";
import { isOrder, type Order } from "../model.js";

/**
 * Daily sales: per UTC day of `orderDate`, per status and currency, how many orders and the sum
 * of their totals. The currency is part of the key so that totals in different currencies never
 * add up. A changed status, date, currency or total moves the order; a delete takes it out.
 */
export const dailySales = {
  // Begins every aggregate's key in the table and names the checkpoints: renaming it starts over.
  name: "daily-sales",
  key: (order) => (isOrder(order) ? `${order.status}#${order.currency}` : undefined),
  bucket: { attribute: "orderDate", unit: "day" },
  measures: { orders: count(), revenue: sum("total") },
  // A busy day's keys spread over four items, so concurrent batches rarely meet on one item.
  shards: 4,
} satisfies AggregateDefinition<Order>;

/** The daily-sales processor on an aggregates table (`aggregateTableInput` creates one). */
export const dailySalesProcessor = (target: { client: DynamoDBClient; table: string }) =>
  aggregate<Order>({ ...dailySales, ...target });
