import { streamHandler } from "@sluice/runtime";
import { dailySalesProcessor } from "../processors/daily-sales.js";
import { clients, deployed, resource } from "../resources.js";
import { subscriberConfig } from "../subscriber.js";

/** Orders per day, status and currency: count and sum of totals, committed with checkpoints. */
export const handler = streamHandler(
  subscriberConfig(
    "daily-sales",
    [dailySalesProcessor({ client: clients.dynamodb(), table: resource("aggregatesTable") })],
    deployed,
  ),
);
