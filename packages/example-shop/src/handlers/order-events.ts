import { streamHandler } from "@sluice/runtime";
import { orderEventsProcessor } from "../processors/order-events.js";
import { clients, deployed, resource } from "../resources.js";
import { subscriberConfig } from "../subscriber.js";

/** OrderStatusChanged and OrderShipped on the bus; checkpoints keep redeliveries from repeating. */
export const handler = streamHandler(
  subscriberConfig(
    "order-events",
    [orderEventsProcessor({ client: clients.eventBridge(), eventBusName: resource("eventBus") })],
    deployed,
  ),
);
