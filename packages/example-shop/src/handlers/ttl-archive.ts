import { streamHandler } from "@sluice/runtime";
import { ttlArchiveProcessor } from "../processors/ttl-archive.js";
import { clients, deployed, resource } from "../resources.js";
import { subscriberConfig } from "../subscriber.js";

/** Carts and sessions that TTL expired, to the archive bucket, and an ItemExpired event each. */
export const handler = streamHandler(
  subscriberConfig(
    "ttl-archive",
    [
      ttlArchiveProcessor({
        s3: clients.s3(),
        bucket: resource("archiveBucket"),
        eventBridge: clients.eventBridge(),
        eventBusName: resource("eventBus"),
      }),
    ],
    deployed,
  ),
);
