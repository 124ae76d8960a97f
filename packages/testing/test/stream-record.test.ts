import { compareSequenceNumbers, decodeLambdaEvent } from "@sluice/records";
import { describe, expect, it } from "vitest";
import { streamArnOf, streamEvent, streamRecord } from "../src/index.js";

const keys = { PK: { S: "CUSTOMER#1" }, SK: { S: "ORDER#1" } };

describe("streamRecord", () => {
  it("builds records that decode to the change they describe", () => {
    const event = streamEvent([
      streamRecord({ index: 0, keys, newImage: { ...keys, total: { N: "10" } } }),
      streamRecord({
        index: 1,
        keys,
        oldImage: { ...keys, total: { N: "10" } },
        newImage: { ...keys, total: { N: "12.5" } },
      }),
      streamRecord({ index: 2, keys, oldImage: { ...keys, total: { N: "12.5" } }, ttl: true }),
    ]);
    const { events, failures } = decodeLambdaEvent(event);
    expect(failures).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(["insert", "modify", "remove"]);
    expect(events[1]!.newImage).toEqual({ PK: "CUSTOMER#1", SK: "ORDER#1", total: 12.5 });
    expect(events[2]).toMatchObject({ kind: "remove", cause: "ttl" });
    expect(events[0]!.meta).toMatchObject({
      tableName: "Orders",
      region: "us-east-1",
      streamArn: streamArnOf(),
      viewType: "NEW_AND_OLD_IMAGES",
    });
  });

  it("numbers eventIDs and sequence numbers by index, in order and wider than a JS number", () => {
    const a = streamRecord({ index: 1, keys });
    const b = streamRecord({ index: 2, keys });
    expect([a.eventID, b.eventID]).toEqual(["event-1", "event-2"]);
    const [first, second] = [a.dynamodb!.SequenceNumber!, b.dynamodb!.SequenceNumber!];
    expect(compareSequenceNumbers(first, second)).toBeLessThan(0);
    expect(BigInt(first) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });

  it("takes explicit ids, table, region and event name", () => {
    const record = streamRecord({
      keys,
      eventName: "REMOVE",
      eventId: "abc",
      sequenceNumber: "42",
      table: "Carts",
      region: "eu-west-1",
      viewType: "KEYS_ONLY",
    });
    expect(record).toMatchObject({
      eventID: "abc",
      eventName: "REMOVE",
      awsRegion: "eu-west-1",
      eventSourceARN: streamArnOf("Carts", "eu-west-1"),
      dynamodb: { SequenceNumber: "42", StreamViewType: "KEYS_ONLY", Keys: keys },
    });
    expect(record.userIdentity).toBeUndefined();
    expect(record.dynamodb!.NewImage).toBeUndefined();
  });
});
