import { describe, expect, it } from "vitest";
import { decodeRecord, decodeRecords, type StreamViewType } from "../src/index.js";
import { streamRecord } from "./helpers.js";

const ctx = { source: "lambda" as const, position: 0 };

describe("images follow the view type", () => {
  const cases: [StreamViewType, "INSERT" | "MODIFY" | "REMOVE", boolean, boolean][] = [
    ["NEW_AND_OLD_IMAGES", "INSERT", true, false],
    ["NEW_AND_OLD_IMAGES", "MODIFY", true, true],
    ["NEW_AND_OLD_IMAGES", "REMOVE", false, true],
    ["NEW_IMAGE", "MODIFY", true, false],
    ["NEW_IMAGE", "REMOVE", false, false],
    ["OLD_IMAGE", "INSERT", false, false],
    ["OLD_IMAGE", "MODIFY", false, true],
    ["KEYS_ONLY", "MODIFY", false, false],
  ];
  it.each(cases)("%s %s: new %s, old %s", (view, name, hasNew, hasOld) => {
    const record = streamRecord(name, { StreamViewType: view });
    const event = decodeRecord(record, ctx);
    expect("newImage" in event).toBe(hasNew);
    expect("oldImage" in event).toBe(hasOld);
  });

  it("a MODIFY on NEW_IMAGE needs only the new image", () => {
    const record = streamRecord("MODIFY", { StreamViewType: "NEW_IMAGE", OldImage: undefined });
    expect(decodeRecord(record, ctx).kind).toBe("modify");
  });
});

describe("remove cause", () => {
  const ttlRemove = (expiresAt: string) =>
    streamRecord("REMOVE", {
      OldImage: { PK: { S: "CART#1" }, SK: { S: "ITEM#1" }, expiresAt: { N: expiresAt } },
    });
  const now = () => 1_795_183_391_000;

  it("is ttl for DynamoDB's service identity", () => {
    const record = streamRecord(
      "REMOVE",
      {},
      {
        userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
      },
    );
    expect(decodeRecord(record, ctx)).toMatchObject({ cause: "ttl" });
  });

  it("is user for any other identity or none", () => {
    expect(decodeRecord(streamRecord("REMOVE"), ctx)).toMatchObject({ cause: "user" });
    const other = streamRecord(
      "REMOVE",
      {},
      { userIdentity: { type: "Service", principalId: "other.amazonaws.com" } },
    );
    expect(decodeRecord(other, ctx)).toMatchObject({ cause: "user" });
  });

  it("is inferred from an expired TTL attribute when asked", () => {
    const options = { ttlAttribute: "expiresAt", now };
    const past = decodeRecords([ttlRemove("1795183000"), ttlRemove("1795183391")], options);
    expect(past.events.map((e) => e.kind === "remove" && e.cause)).toEqual(["ttl", "ttl"]);
    const future = decodeRecords([ttlRemove("1795190000")], options);
    expect(future.events[0]).toMatchObject({ cause: "user" });
  });

  it("is not inferred without the option or the attribute", () => {
    expect(decodeRecords([ttlRemove("1")]).events[0]).toMatchObject({ cause: "user" });
    const noAttribute = decodeRecords([streamRecord("REMOVE")], { ttlAttribute: "expiresAt", now });
    expect(noAttribute.events[0]).toMatchObject({ cause: "user" });
  });

  it("has no cause on inserts and modifies", () => {
    expect("cause" in decodeRecord(streamRecord("MODIFY"), ctx)).toBe(false);
  });
});

describe("metadata", () => {
  it("parses table and region from the ARN, falling back to awsRegion", () => {
    const event = decodeRecord(
      streamRecord(
        "INSERT",
        {},
        {
          eventSourceARN: "arn:aws-cn:dynamodb:cn-north-1:1:table/My.Table-1/stream/x",
          awsRegion: "us-east-1",
        },
      ),
      ctx,
    );
    expect(event.meta).toMatchObject({ tableName: "My.Table-1", region: "cn-north-1" });
    const noArn = decodeRecord(
      streamRecord("INSERT", {}, { eventSourceARN: undefined, awsRegion: "ap-south-1" }),
      ctx,
    );
    expect(noArn.meta.region).toBe("ap-south-1");
    expect(noArn.meta.tableName).toBeUndefined();
  });

  it("turns epoch seconds and Dates into Dates", () => {
    const seconds = decodeRecord(
      streamRecord("INSERT", { ApproximateCreationDateTime: 1795183391 }),
      ctx,
    );
    expect(seconds.meta.approximateCreationTime).toEqual(new Date("2026-11-20T14:03:11Z"));
    const date = new Date("2026-01-01T00:00:00Z");
    expect(
      decodeRecord(streamRecord("INSERT", { ApproximateCreationDateTime: date }), ctx).meta
        .approximateCreationTime,
    ).toEqual(date);
  });

  it("applies number options to keys and images", () => {
    const event = decodeRecord(streamRecord("INSERT"), { ...ctx, options: { numbers: "string" } });
    expect(event.newImage?.total).toBe("10.5");
  });
});
