import { streamHandler } from "@sluice/runtime";
import { auditProcessor } from "../processors/audit.js";
import { clients, deployed, resource } from "../resources.js";
import { subscriberConfig } from "../subscriber.js";

/** Every change of every item, to the archive bucket. */
export const handler = streamHandler(
  subscriberConfig(
    "audit",
    [auditProcessor({ s3: clients.s3(), bucket: resource("archiveBucket") })],
    deployed,
  ),
);
