import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { seededRandom } from "@sluice/testing";
import type { Address, OrderStatus } from "../model.js";

type Item = Record<string, AttributeValue>;
const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number | string): AttributeValue => ({ N: String(value) });

const catalogue = [
  { sku: "SKU-TEA-01", price: 450 },
  { sku: "SKU-MUG-02", price: 1290 },
  { sku: "SKU-POT-03", price: 3400 },
  { sku: "SKU-CUP-04", price: 890 },
  { sku: "SKU-JAR-05", price: 650 },
];
const addresses = [
  { street: "Hauptstraße 5", city: "Berlin", postcode: "10115", country: "DE" },
  { street: "221B Baker Street", city: "London", postcode: "NW1 6XE", country: "GB" },
  { street: "Rue de Rivoli 12", city: "Paris", postcode: "75001", country: "FR" },
  { street: "Calle Mayor 3", city: "Madrid", postcode: "28013", country: "ES" },
];
const days = ["2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30"];

/** The status nobody taught order-events: its changes are the demo's poison records. */
export const POISON_STATUS = "on-hold";

export interface TrafficOptions {
  dynamodb: DynamoDBClient;
  table: string;
  seed: number;
  orders: number;
  /** Orders put on hold by the back office: order-events dead-letters that status change. */
  poison: number;
  /** Writes per second, about. */
  rate: number;
  onWrite?: () => void;
}

/** What the traffic did: the ground truth the closing report checks against. */
export interface TrafficHistory {
  writes: number;
  /** `PK|SK` of the carts and sessions that expired. */
  expired: string[];
  /** `OrderStatusChanged o-1 pending>paid`, `OrderShipped o-1`: what consumers must receive. */
  events: string[];
  /** `OrderStatusChanged o-7 paid>on-hold` for the poison orders. */
  poisonEvents: string[];
  deletedOrders: string[];
}

/** An order as the traffic keeps it between writes. */
export interface LiveOrder {
  orderId: string;
  customerId: string;
  orderDate: string;
  status: OrderStatus | typeof POISON_STATUS;
  currency: string;
  /** Cents, so sums stay exact. */
  cents: number;
  lines: { sku: string; qty: number; price: string }[];
  address: Address;
}

export const orderKey = (order: LiveOrder): Item => ({
  PK: S(`CUSTOMER#${order.customerId}`),
  SK: S(`ORDER#${order.orderId}`),
});

/** The order's item in the table, as the shop writes it. */
export const orderItem = (order: LiveOrder): Item => ({
  ...orderKey(order),
  orderId: S(order.orderId),
  customerId: S(order.customerId),
  orderDate: S(order.orderDate),
  status: S(order.status),
  total: N((order.cents / 100).toFixed(2)),
  currency: S(order.currency),
  items: {
    L: order.lines.map((line) => ({
      M: { sku: S(line.sku), qty: N(line.qty), price: N(line.price) },
    })),
  },
  shippingAddress: {
    M: Object.fromEntries(Object.entries(order.address).map(([k, v]) => [k, S(v)])),
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A shop's traffic: customers sign up, orders go through their lifecycle (placed, paid,
 * shipped, delivered; some cancelled, some corrected, one deleted, a few put on hold), carts
 * and sessions come and go. Each item's writes follow each other; items interleave.
 */
export function shopTraffic(options: TrafficOptions) {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const history: TrafficHistory = {
    writes: 0,
    expired: [],
    events: [],
    poisonEvents: [],
    deletedOrders: [],
  };
  const now = Math.floor(Date.now() / 1000);
  const write = async (command: PutItemCommand | DeleteItemCommand) => {
    await options.dynamodb.send(command as PutItemCommand);
    history.writes++;
    options.onWrite?.();
  };
  const put = (Item: Item) => write(new PutItemCommand({ TableName: options.table, Item }));
  const cart = (customer: string, sku: string, expiresAt: number, qty: number) =>
    put({
      PK: S(`CART#${customer}`),
      SK: S(`ITEM#${sku}`),
      qty: N(qty),
      price: N("4.50"),
      expiresAt: N(expiresAt),
    });
  const session = (token: string, customer: string, expiresAt: number) =>
    put({
      PK: S(`SESSION#${token}`),
      SK: S("SESSION"),
      customerId: S(customer),
      expiresAt: N(expiresAt),
    });
  const customers = Math.max(3, Math.ceil(options.orders / 5));
  const customerIds = Array.from({ length: customers }, (_, i) => `c-${i + 1}`);

  /** Carts and sessions that already expired, written alone so TTL's sweep finds them first. */
  async function expired(): Promise<void> {
    const count = Math.max(3, Math.ceil(options.orders / 20));
    const writes: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const customer = pick(customerIds);
      if (i % 2 === 0) {
        const sku = catalogue[i % catalogue.length]!.sku;
        if (history.expired.includes(`CART#${customer}|ITEM#${sku}`)) continue;
        history.expired.push(`CART#${customer}|ITEM#${sku}`);
        writes.push(cart(customer, sku, now - 60 - i, 1 + (i % 3)));
      } else {
        history.expired.push(`SESSION#old-${i}|SESSION`);
        writes.push(session(`old-${i}`, customer, now - 120 - i));
      }
    }
    await Promise.all(writes);
  }

  /** One order's life, start to end. */
  async function orderLife(index: number, paced: () => Promise<void>): Promise<void> {
    const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => {
      const product = catalogue[(index + k) % catalogue.length]!;
      return {
        sku: product.sku,
        qty: 1 + Math.floor(random() * 3),
        price: (product.price / 100).toFixed(2),
      };
    });
    const order: LiveOrder = {
      orderId: `o-${index + 1}`,
      customerId: pick(customerIds),
      orderDate: `${pick(days)}T${String(8 + Math.floor(random() * 12)).padStart(2, "0")}:${String(Math.floor(random() * 60)).padStart(2, "0")}:00Z`,
      status: "pending",
      currency: random() < 0.25 ? "USD" : "EUR",
      cents: lines.reduce((sum, line) => sum + line.qty * Math.round(Number(line.price) * 100), 0),
      lines,
      address: pick(addresses),
    };
    const step = async (status: LiveOrder["status"]) => {
      const event = `OrderStatusChanged ${order.orderId} ${order.status}>${status}`;
      if (status === POISON_STATUS) history.poisonEvents.push(event);
      else history.events.push(event);
      if (status === "shipped") history.events.push(`OrderShipped ${order.orderId}`);
      order.status = status;
      await paced();
      await put(orderItem(order));
    };
    // Every draw before the first write: the seed decides the week whatever the interleaving.
    const fate = random();
    await paced();
    await put(orderItem(order));
    if (index < options.poison) {
      await step("paid");
      await step(POISON_STATUS);
      return;
    }
    if (fate < 0.1) return step("cancelled");
    await step("paid");
    if (fate < 0.2) {
      // Support fixes a total after payment: a change with no status change and no event.
      order.cents = Math.max(100, order.cents - 500);
      await paced();
      await put(orderItem(order));
    }
    if (fate < 0.3) return;
    await step("shipped");
    if (fate < 0.75) await step("delivered");
    if (fate > 0.97) {
      await paced();
      await write(new DeleteItemCommand({ TableName: options.table, Key: orderKey(order) }));
      history.deletedOrders.push(order.orderId);
    }
  }

  /** Everything else, paced at about `rate` writes per second. */
  async function week(): Promise<TrafficHistory> {
    let next = Date.now();
    const gap = 1000 / options.rate;
    const paced = async () => {
      next += gap;
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait);
    };
    await Promise.all(
      customerIds.map(async (customer) => {
        const tier = random() < 0.2 ? "gold" : "basic";
        await paced();
        await put({
          PK: S(`CUSTOMER#${customer}`),
          SK: S("PROFILE"),
          name: S(`Customer ${customer.slice(2)}`),
          email: S(`${customer}@example.com`),
          tier: S(tier),
        });
      }),
    );
    const lives = Array.from({ length: options.orders }, (_, index) => orderLife(index, paced));
    const browsing = customerIds.slice(0, Math.ceil(customers / 2)).map(async (customer, i) => {
      const sku = pick(catalogue).sku;
      await paced();
      await session(`tok-${i}`, customer, now + 3_600);
      await paced();
      await cart(customer, sku, now + 86_400, 1 + (i % 3));
    });
    await Promise.all([...lives, ...browsing]);
    return history;
  }

  return { history, expired, week };
}
