import { streamHandler } from "@sluice/runtime";
import type { Order } from "../model.js";
import { shop } from "../pipeline.js";

const subscriber = shop.subscribers["order-events"];

/** OrderStatusChanged and OrderShipped on the event bus. */
export const handler = streamHandler<Order>({
  pipeline: shop.name,
  processor: subscriber.name,
  ordering: subscriber.ordering,
  handle: async () => {},
});
