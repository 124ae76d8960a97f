/** The Orders table's items: one table, a single-table design (see the README). */

export interface Customer {
  PK: `CUSTOMER#${string}`;
  SK: "PROFILE";
  name: string;
  email: string;
  tier: string;
}

export const orderStatuses = ["pending", "paid", "shipped", "delivered", "cancelled"] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export interface OrderLine {
  sku: string;
  qty: number;
  price: number;
}

export interface Address {
  street: string;
  city: string;
  postcode: string;
  country: string;
}

export interface Order {
  PK: `CUSTOMER#${string}`;
  SK: `ORDER#${string}`;
  orderId: string;
  customerId: string;
  /** ISO 8601 */
  orderDate: string;
  status: OrderStatus;
  total: number;
  currency: string;
  items: OrderLine[];
  shippingAddress: Address;
}

/** Orders are the items whose sort key starts with this; the pipeline's filters match on it. */
export const orderKeyPrefix = "ORDER#";

/** Whether an item of the table is an order: replays from the audit archive carry every item. */
export const isOrder = (item: { SK: string }): boolean => item.SK.startsWith(orderKeyPrefix);

export interface CartLine {
  PK: `CART#${string}`;
  SK: `ITEM#${string}`;
  qty: number;
  price: number;
  /** Epoch seconds; DynamoDB's TTL deletes the line some time after. */
  expiresAt: number;
}

export interface Session {
  PK: `SESSION#${string}`;
  SK: "SESSION";
  customerId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type ShopItem = Customer | Order | CartLine | Session;
