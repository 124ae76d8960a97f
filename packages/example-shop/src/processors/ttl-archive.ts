import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { S3Client } from "@aws-sdk/client-s3";
import { ttlArchive } from "@sluice/processors";
import type { CartLine, Session } from "../model.js";
import { shop } from "../pipeline.js";

/**
 * Carts and sessions that TTL deleted, under `expired/table=Orders/` in the audit format, each
 * announced by an `ItemExpired` event (source `sluice.ttl`) once it is archived.
 */
export const ttlArchiveProcessor = (target: {
  s3: S3Client;
  bucket: string;
  eventBridge: EventBridgeClient;
  eventBusName: string;
}) =>
  ttlArchive<CartLine | Session>({
    name: "ttl-archive",
    s3: target.s3,
    bucket: target.bucket,
    table: shop.table.name,
    events: { client: target.eventBridge, eventBusName: target.eventBusName },
  });
