/** The Orders table's items: one table, a single-table design (see the README). */

export interface Customer {
  PK: `CUSTOMER#${string}`;
  SK: "PROFILE";
  name: string;
  email: string;
  tier: string;
}

export type OrderStatus = "pending" | "paid" | "shipped" | "delivered" | "cancelled";

export interface OrderLine {
  sku: string;
  qty: number;
  price: number;
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
  shippingAddress: Record<string, string>;
}

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
