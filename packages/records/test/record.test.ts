import { describe, expect, it } from "vitest";
import {
  decodeLambdaEvent,
  decodeRecord,
  decodeRecords,
  parseStreamArn,
  type StreamViewType,
} from "../src/index.js";
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

  it("reads a Lambda creation time in milliseconds or microseconds, which cannot be seconds", () => {
    const created = (value: number) =>
      decodeLambdaEvent({
        Records: [streamRecord("INSERT", { ApproximateCreationDateTime: value })],
      }).events[0]?.meta.approximateCreationTime;
    expect(created(1700000000000)).toEqual(new Date("2023-11-14T22:13:20Z"));
    expect(created(1700000000000123)).toEqual(new Date("2023-11-14T22:13:20.000Z"));
    expect(created(1700000000)).toEqual(new Date("2023-11-14T22:13:20Z"));
    // The largest value still read as seconds, and the smallest read as milliseconds.
    expect(created(1e11)).toEqual(new Date(1e14));
    expect(created(1e11 + 1)).toEqual(new Date(1e11 + 1));
  });

  it("applies number options to keys and images", () => {
    const event = decodeRecord(streamRecord("INSERT"), { ...ctx, options: { numbers: "string" } });
    expect(event.newImage?.total).toBe("10.5");
  });
});

describe("stream ARNs with placeholders, as in AWS's sample events", () => {
  const label = "stream/2015-06-27T00:48:05.899";
  it.each([
    ["account-id", `arn:aws:dynamodb:us-east-1:account-id:table/ExampleTableWithStream/${label}`],
    ["{{{accountId}}}", `arn:aws:dynamodb:us-west-2:{{{accountId}}}:table/BookTable/${label}`],
    ["123456789012", `arn:aws:dynamodb:us-east-1:123456789012:table/BookTable/${label}`],
  ])("parses table and region with account %s", (accountId, arn) => {
    expect(parseStreamArn(arn)).toEqual({
      region: arn.split(":")[3],
      accountId,
      tableName: arn.includes("BookTable") ? "BookTable" : "ExampleTableWithStream",
      streamLabel: "2015-06-27T00:48:05.899",
    });
  });

  it("leaves the region out when it is a placeholder, and still names the table", () => {
    const arn = `arn:aws:dynamodb:{{{region}}}:{{{accountId}}}:table/BookTable/${label}`;
    expect(parseStreamArn(arn)).toMatchObject({ region: undefined, tableName: "BookTable" });
    // meta.region then comes from the record's awsRegion.
    const event = decodeRecord(
      streamRecord("INSERT", {}, { eventSourceARN: arn, awsRegion: "eu-central-1" }),
      ctx,
    );
    expect(event.meta).toMatchObject({ tableName: "BookTable", region: "eu-central-1" });
  });

  it("still rejects what is not a DynamoDB table or stream ARN", () => {
    expect(parseStreamArn("arn:aws:dynamodb:us-east-1::table/BookTable")).toBeUndefined();
    expect(parseStreamArn("arn:aws:kinesis:us-east-1:1:stream/BookTable")).toBeUndefined();
  });
});
