import { streamHandler } from "@sluice/runtime";
import type { Order } from "../model.js";
import { shop } from "../pipeline.js";

const subscriber = shop.subscribers["daily-sales"];

/** Orders per day and status: count and sum of totals. */
export const handler = streamHandler<Order>({
  pipeline: shop.name,
  processor: subscriber.name,
  ordering: subscriber.ordering,
  handle: async () => {},
});
