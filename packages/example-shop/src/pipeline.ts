import { definePipeline } from "@sluice/pipeline";
import { orderKeyPrefix } from "./model.js";

/** Handler paths are relative to the app's root, where sst.config.ts is. */
const handlers = "packages/example-shop/src/handlers";

/** Orders only: an order's sort key starts with ORDER#. Filtered-out records cost nothing. */
const ordersOnly = { dynamodb: { Keys: { SK: { S: [{ prefix: orderKeyPrefix }] } } } };

/** Deletions by DynamoDB's TTL, not by users: carts and sessions that expired. */
const expiredByTtl = {
  userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] },
};

/** The reference app: one Orders table and the five subscribers of its stream. */
export const shop = definePipeline({
  name: "shop",
  table: {
    name: "Orders",
    partitionKey: "PK",
    sortKey: "SK",
    stream: "NEW_AND_OLD_IMAGES",
    ttlAttribute: "expiresAt",
  },
  subscribers: {
    // Count and sum of orders per day and status, exactly once: checkpoints and the aggregate
    // writes commit together.
    "daily-sales": {
      handler: `${handlers}/daily-sales.handler`,
      ordering: "per-item",
      filters: [ordersOnly],
      needs: ["checkpoints", "aggregatesTable"],
    },
    // Every change, gzipped JSON Lines per batch; bigger, slower batches make fewer objects.
    audit: {
      handler: `${handlers}/audit.handler`,
      batchSize: 1_000,
      batchingWindowSeconds: 60,
      timeoutSeconds: 120,
      needs: ["archiveBucket"],
    },
    "order-search": {
      handler: `${handlers}/order-search.handler`,
      ordering: "per-item",
      batchingWindowSeconds: 1,
      filters: [ordersOnly],
      needs: ["searchDomain"],
    },
    "ttl-archive": {
      handler: `${handlers}/ttl-archive.handler`,
      filters: [expiredByTtl],
      needs: ["archiveBucket", "eventBus"],
    },
    // OrderStatusChanged and OrderShipped; checkpoints keep a redelivery from publishing twice.
    "order-events": {
      handler: `${handlers}/order-events.handler`,
      ordering: "per-item",
      filters: [ordersOnly],
      needs: ["eventBus", "checkpoints"],
    },
  },
});
