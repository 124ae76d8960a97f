import { streamHandler } from "@sluice/runtime";
import { orderSearchProcessor } from "../processors/order-search.js";
import { deployed, searchSink } from "../resources.js";
import { subscriberConfig } from "../subscriber.js";

/** Orders in the search domain, equal to the table. */
export const handler = streamHandler(
  subscriberConfig("order-search", [orderSearchProcessor(searchSink())], deployed),
);
