import { type } from "arktype";
import * as v from "valibot";
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  type DynamoDBStreamEvent,
  decodeLambdaEvent,
  decodeRecord,
  defineEntities,
  SluiceDecodeError,
} from "../src/index.js";
import { fixture } from "./fixtures/load.js";
import { streamRecord } from "./helpers.js";

const { events } = decodeLambdaEvent(fixture<DynamoDBStreamEvent>("lambda-event.json"));
const [orderInsert, orderModify, cartRemove, sessionRemove] = events;

const ZodOrder = z.object({
  orderId: z.string(),
  status: z.enum(["pending", "paid", "shipped", "delivered", "cancelled"]),
  total: z.number(),
  items: z.array(z.object({ sku: z.string(), qty: z.number(), price: z.number() })),
});
const ValibotCart = v.object({ qty: v.number(), price: v.number(), expiresAt: v.number() });
const ArkSession = type({ customerId: "string", expiresAt: "number" });

const router = defineEntities({
  order: { match: { pk: "CUSTOMER", sk: "ORDER" }, schema: ZodOrder },
  cart: { match: { pk: "CART", sk: "ITEM" }, schema: ValibotCart },
  session: { match: { pk: "SESSION" }, schema: ArkSession },
});

describe("entity routing by key prefix", () => {
  it("routes each change to its entity", async () => {
    const { routed, failures } = await router.routeAll(events);
    expect(failures).toEqual([]);
    expect(routed.map((r) => r.entity)).toEqual(["order", "order", "cart", "session"]);
  });

  it("validates with zod, valibot and arktype and gives typed images", async () => {
    const order = await router.route(orderModify!);
    if (order.entity !== "order") throw new Error("expected an order");
    expectTypeOf(order.event.newImage).toEqualTypeOf<z.infer<typeof ZodOrder> | undefined>();
    expect(order.event.newImage?.status).toBe("paid");
    expect(order.event.oldImage?.status).toBe("pending");
    // Schemas strip what they do not declare: the output is the schema's, not the raw image.
    expect(order.event.newImage).not.toHaveProperty("shippingAddress");

    const cart = await router.route(cartRemove!);
    if (cart.entity !== "cart") throw new Error("expected a cart");
    expectTypeOf(cart.event.oldImage).toEqualTypeOf<
      v.InferOutput<typeof ValibotCart> | undefined
    >();
    expect(cart.event.oldImage).toEqual({ qty: 2, price: 24.99, expiresAt: 1795132800 });

    const session = await router.route(sessionRemove!);
    if (session.entity !== "session") throw new Error("expected a session");
    expectTypeOf(session.event.oldImage).toEqualTypeOf<typeof ArkSession.infer | undefined>();
    expect(session.event.oldImage?.customerId).toBe("c-1001");
  });

  it("reports a record that matches no entity instead of dropping it", async () => {
    const stray = decodeRecord(
      streamRecord("INSERT", { Keys: { PK: { S: "INVOICE#1" }, SK: { S: "INVOICE" } } }),
      { source: "lambda", position: 7 },
    );
    const { routed, failures } = await router.routeAll([orderInsert!, stray]);
    expect(routed).toHaveLength(1);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.position).toBe(7);
    expect(failures[0]!.record).toBe(stray.raw);
    expect(failures[0]!.error.code).toBe("NO_MATCHING_ENTITY");
    expect(failures[0]!.error.eventId).toBe(stray.meta.eventId);
  });

  it.each([
    ["zod", { ...orderInsert!, newImage: { ...orderInsert!.newImage, status: "lost" } }],
    ["valibot", { ...cartRemove!, oldImage: { ...cartRemove!.oldImage, qty: "two" } }],
    ["arktype", { ...sessionRemove!, oldImage: { customerId: 5, expiresAt: 1 } }],
  ])("reports %s schema failures with their issues", async (_library, event) => {
    const { routed, failures } = await router.routeAll([event as never, orderModify!]);
    expect(routed.map((r) => r.entity)).toEqual(["order"]);
    const error = failures[0]!.error;
    expect(error).toBeInstanceOf(SluiceDecodeError);
    expect(error.code).toBe("SCHEMA_VALIDATION");
    expect(error.issues?.length).toBeGreaterThan(0);
    expect(error.path).toMatch(/Image$/);
  });

  it("accepts async Standard Schemas", async () => {
    const asyncRouter = defineEntities({
      order: {
        match: { sk: "ORDER" },
        schema: z.object({ orderId: z.string() }).refine(async (o) => o.orderId.startsWith("o-")),
      },
    });
    await expect(asyncRouter.route(orderInsert!)).resolves.toMatchObject({ entity: "order" });
  });
});

describe("matching options", () => {
  const record = (pk: string, sk: string, extra = {}) =>
    decodeRecord(
      streamRecord("INSERT", {
        Keys: { pk: { S: pk }, sk: { S: sk } },
        NewImage: { pk: { S: pk }, sk: { S: sk }, ...extra },
      }),
      { source: "lambda", position: 0 },
    );

  it("uses configurable key names, delimiter and case", () => {
    const custom = defineEntities(
      { order: { match: { pk: "customer", sk: "order" } } },
      { pkAttribute: "pk", skAttribute: "sk", delimiter: "|", caseInsensitive: true },
    );
    expect(custom.match(record("CUSTOMER|1", "ORDER|2"))).toBe("order");
    expect(custom.match(record("CUSTOMER#1", "ORDER#2"))).toBeUndefined();
    const strict = defineEntities(
      { order: { match: { pk: "customer" } } },
      { pkAttribute: "pk", delimiter: "|" },
    );
    expect(strict.match(record("CUSTOMER|1", "x"))).toBeUndefined();
  });

  it("matches whole segments, not partial words", () => {
    const r = defineEntities({ order: { match: { sk: "ORDER" } } }, { skAttribute: "sk" });
    expect(r.match(record("A", "ORDERLINE#1"))).toBeUndefined();
    expect(r.match(record("A", "ORDER"))).toBe("order");
  });

  it("matches by a type attribute", () => {
    const r = defineEntities(
      { order: { match: { type: "Order" } }, customer: { match: { type: "Customer" } } },
      { typeAttribute: "_type", caseInsensitive: true },
    );
    expect(r.match(record("X", "Y", { _type: { S: "customer" } }))).toBe("customer");
    expect(r.match(record("X", "Y", { _type: { S: "Invoice" } }))).toBeUndefined();
  });

  it("takes the first matching entity in definition order", () => {
    const r = defineEntities(
      {
        profile: { match: { pk: "CUSTOMER", sk: "PROFILE" } },
        anyCustomer: { match: { pk: "CUSTOMER" } },
      },
      { pkAttribute: "pk", skAttribute: "sk" },
    );
    expect(r.match(record("CUSTOMER#1", "PROFILE"))).toBe("profile");
    expect(r.match(record("CUSTOMER#1", "ORDER#1"))).toBe("anyCustomer");
  });
});
