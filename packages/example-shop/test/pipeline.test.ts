import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mappingSettings } from "@sluice/pipeline";
import { describe, expect, it } from "vitest";
import { shop } from "../src/pipeline.js";

const appRoot = fileURLToPath(new URL("../../../", import.meta.url));

describe("the example-shop pipeline", () => {
  it("reads the Orders table's stream with both images, TTL on expiresAt", () => {
    expect(shop.table).toEqual({
      name: "Orders",
      partitionKey: { name: "PK", type: "string" },
      sortKey: { name: "SK", type: "string" },
      stream: "NEW_AND_OLD_IMAGES",
      ttlAttribute: "expiresAt",
    });
  });

  it("has the five subscribers of the reference app, each needing what its processor uses", () => {
    const needs = Object.fromEntries(
      Object.values(shop.subscribers).map((subscriber) => [subscriber.name, subscriber.needs]),
    );
    expect(needs).toEqual({
      "daily-sales": ["checkpoints", "aggregatesTable"],
      audit: ["archiveBucket"],
      "order-search": ["searchDomain"],
      "ttl-archive": ["archiveBucket", "eventBus"],
      "order-events": ["eventBus", "checkpoints"],
    });
  });

  it("sends ttl-archive only the deletions DynamoDB's TTL made", () => {
    expect(
      mappingSettings(shop.subscribers["ttl-archive"], "arn:aws:sqs:us-east-1:0:dlq")
        .FilterCriteria,
    ).toEqual({
      Filters: [
        {
          Pattern: '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}',
        },
      ],
    });
  });

  it("sends the order subscribers only orders, by sort key prefix", () => {
    for (const name of ["daily-sales", "order-search", "order-events"] as const) {
      expect(shop.subscribers[name].filters).toEqual([
        { dynamodb: { Keys: { SK: { S: [{ prefix: "ORDER#" }] } } } },
      ]);
    }
    expect(shop.subscribers.audit.filters).toEqual([]);
  });

  it.each(
    Object.values(shop.subscribers).map((subscriber) => [subscriber.name, subscriber.handler]),
  )("%s's handler is a module under the app's root", (_, handler) => {
    const file = `${appRoot}${handler.module}.ts`;
    expect(existsSync(file), file).toBe(true);
  });
});
