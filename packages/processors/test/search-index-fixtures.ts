// Example-shop orders and the pieces the search-index tests share.
import type { AttributeMap, AttributeValue, ChangeEvent } from "@sluice/records";
import { decodeLambdaEvent } from "@sluice/records";
import { createLogger, type ProcessContext, type RecordResult } from "@sluice/runtime";
import { type StreamRecordInput, streamEvent, streamRecord } from "@sluice/testing";
import type { SearchIndexError } from "../src/search-index/index.js";

export interface Address {
  street: string;
  city: string;
  postcode: string;
  country: string;
}

export interface Order {
  PK: string;
  SK: string;
  orderId: string;
  customerId: string;
  orderDate: string;
  status: "pending" | "paid" | "shipped" | "delivered" | "cancelled";
  total: number;
  currency: string;
  items: { sku: string; qty: number; price: number }[];
  shippingAddress: Address;
}

/** The search document of an order: customer, status, items, address. Other entities: none. */
export interface OrderDocument {
  orderId: string;
  customerId: string;
  status: string;
  total: number;
  orderDate: string;
  skus: string[];
  shippingAddress: Address;
}

export function orderDocument(item: Order): OrderDocument | undefined {
  if (!item.SK.startsWith("ORDER#")) return undefined;
  return {
    orderId: item.orderId,
    customerId: item.customerId,
    status: item.status,
    total: item.total,
    orderDate: item.orderDate,
    skus: item.items.map((line) => line.sku),
    shippingAddress: item.shippingAddress,
  };
}

/** The Orama schema of `OrderDocument`. */
export const orderSchema = {
  orderId: "string",
  customerId: "string",
  status: "enum",
  total: "number",
  orderDate: "string",
  skus: "string[]",
  shippingAddress: { street: "string", city: "string", postcode: "string", country: "string" },
  deleted: "boolean",
} as const;

/** An order's id in the index is its order id; other items keep `PK|SK`. */
export const orderId = (keys: Record<string, unknown>) => {
  const sk = String(keys.SK);
  return sk.startsWith("ORDER#") ? sk.slice("ORDER#".length) : `${keys.PK}|${sk}`;
};

/** The shop's order search, all but its sink: spread it into `searchIndex` with one. */
export const orderSearch = {
  name: "search",
  index: "orders",
  id: orderId,
  toDocument: orderDocument,
};

const cities: Address[] = [
  { street: "Hauptstraße 5", city: "Berlin", postcode: "10115", country: "DE" },
  { street: "Rue de Rivoli 12", city: "Paris", postcode: "75001", country: "FR" },
  { street: "Baker Street 221b", city: "London", postcode: "NW1 6XE", country: "GB" },
  { street: "Calle Mayor 3", city: "Madrid", postcode: "28013", country: "ES" },
];

export function order(n: number, changes: Partial<Order> = {}): Order {
  const customer = `c-${n % 7}`;
  return {
    PK: `CUSTOMER#${customer}`,
    SK: `ORDER#o-${n}`,
    orderId: `o-${n}`,
    customerId: customer,
    orderDate: `2026-11-${String(1 + (n % 28)).padStart(2, "0")}`,
    status: "pending",
    total: 10 + ((n * 37) % 190),
    currency: "EUR",
    items: [
      { sku: `SKU-${n % 5}`, qty: 1 + (n % 3), price: 5 },
      { sku: `SKU-${(n + 2) % 5}`, qty: 1, price: 7 },
    ],
    shippingAddress: cities[n % cities.length]!,
    ...changes,
  };
}

/** A plain value as a DynamoDB attribute value. */
export function attribute(value: unknown): AttributeValue {
  if (typeof value === "string") return { S: value };
  if (typeof value === "number" || typeof value === "bigint") return { N: String(value) };
  if (typeof value === "boolean") return { BOOL: value };
  if (value === null || value === undefined) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(attribute) };
  return { M: attributes(value as Record<string, unknown>) };
}

export function attributes(item: Record<string, unknown>): AttributeMap {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, attribute(v)]));
}

export const keysOf = (item: { PK: string; SK: string }): AttributeMap => ({
  PK: { S: item.PK },
  SK: { S: item.SK },
});

/** Decoded change events from record inputs, as a batch processor receives them. */
export function changesOf<T = Order>(inputs: StreamRecordInput[]): ChangeEvent<T>[] {
  const { events, failures } = decodeLambdaEvent<T>(streamEvent(inputs.map(streamRecord)));
  if (failures.length > 0) throw failures[0]!.error;
  return events;
}

/** One change of an order: insert with `next` only, remove with `previous` only, else modify. */
export function orderChange(
  index: number,
  previous: Order | undefined,
  next: Order | undefined,
  extra: Partial<StreamRecordInput> = {},
): StreamRecordInput {
  const item = (next ?? previous)!;
  return {
    index,
    keys: keysOf(item),
    ...(next ? { newImage: attributes(next as never) } : {}),
    ...(previous ? { oldImage: attributes(previous as never) } : {}),
    ...extra,
  };
}

export function processContext(signal: AbortSignal = new AbortController().signal): ProcessContext {
  return {
    pipeline: "shop",
    processor: "search",
    attempt: 1,
    signal,
    log: createLogger({ sink: () => {}, level: "error" }),
  };
}

/** Retries without waiting, for tests. */
export const noWait = { sleep: async () => {}, random: () => 0 };

/** The error of a failed result (undefined for an ok one). */
export const errorOf = (result: RecordResult) =>
  (result as { error?: unknown }).error as SearchIndexError;
