import { describe, expect, it } from "vitest";
import { ttlSweepTimeoutMs } from "../src/testing.js";
import { eventually, recordsOf, streamTable } from "./mapping-helpers.js";

const TTL_ONLY = { userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] } };

describe("event source mapping: TTL deletions", () => {
  it("delivers DynamoDB Local's TTL deletion as the REMOVE AWS sends, which a userIdentity filter selects", async () => {
    const table = await streamTable({ ttlAttribute: "expiresAt" });
    const past = String(Math.floor(Date.now() / 1000) - 60);
    await table.put("CART#1", "ITEM#1", { expiresAt: { N: past } });
    await table.put("CART#1", "ITEM#2");
    await table.remove("CART#1", "ITEM#2");
    const mapping = table.mapping({
      StartingPosition: "TRIM_HORIZON",
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(TTL_ONLY) }] },
      handler: () => {},
    });
    await mapping.start();
    await eventually(
      () => mapping.invocations.length > 0,
      "the expired item is deleted",
      ttlSweepTimeoutMs,
    );
    await mapping.waitForIdle();

    const [removal] = recordsOf(mapping).flat();
    expect(removal).toMatchObject({
      eventName: "REMOVE",
      userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
      dynamodb: { Keys: { SK: { S: "ITEM#1" } }, OldImage: { expiresAt: { N: past } } },
    });
    expect(recordsOf(mapping).flat()).toHaveLength(1);
    // The two inserts and the user's delete were read and filtered out.
    expect(mapping.stats().recordsFiltered).toBe(3);
  }, 120_000);
});
