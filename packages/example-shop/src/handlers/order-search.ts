import { streamHandler } from "@sluice/runtime";
import type { Order } from "../model.js";
import { shop } from "../pipeline.js";

const subscriber = shop.subscribers["order-search"];

/** Orders in the search domain, equal to the table. */
export const handler = streamHandler<Order>({
  pipeline: shop.name,
  processor: subscriber.name,
  ordering: subscriber.ordering,
  handle: async () => {},
});
