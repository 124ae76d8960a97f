import { type SearchSink, searchIndex } from "@sluice/processors";
import { type Address, isOrder, type Order, type OrderLine, orderKeyPrefix } from "../model.js";

export const ordersIndex = "orders";

/** What a search finds an order by: its customer, status, items and address. */
export interface OrderDocument {
  orderId: string;
  customerId: string;
  orderDate: string;
  status: string;
  total: number;
  currency: string;
  items: OrderLine[];
  /** The items' SKUs on their own, for sinks that index no list of objects (the embedded one). */
  skus: string[];
  shippingAddress: Address;
}

/** The document of an order; other items have none. */
export function orderDocument(order: Order): OrderDocument | undefined {
  if (!isOrder(order)) return undefined;
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    orderDate: order.orderDate,
    status: order.status,
    total: order.total,
    currency: order.currency,
    items: order.items,
    skus: order.items.map((line) => line.sku),
    shippingAddress: order.shippingAddress,
  };
}

/** The embedded sink's schema of `OrderDocument`, for `sluice dev` and tests. */
export const orderSearchSchema = {
  orderId: "string",
  customerId: "string",
  orderDate: "string",
  status: "enum",
  total: "number",
  currency: "enum",
  skus: "string[]",
  shippingAddress: { street: "string", city: "string", postcode: "string", country: "string" },
} as const;

/** Orders in the `orders` index, by order id, each at the version of its last change. */
export const orderSearchProcessor = (sink: SearchSink) =>
  searchIndex<Order, OrderDocument>({
    name: "order-search",
    sink,
    index: ordersIndex,
    id: (keys) => String(keys.SK).slice(orderKeyPrefix.length),
    toDocument: orderDocument,
  });
