import { describe, expect, it } from "vitest";
import {
  type DecodeErrorCode,
  type DynamoDBStreamRecord,
  decodeKinesisEvent,
  decodeLambdaEvent,
  decodeRecords,
  type KinesisStreamRecord,
  SluiceDecodeError,
} from "../src/index.js";
import { streamRecord } from "./helpers.js";

/** A batch with the bad record in the middle: both neighbours must still decode. */
function batchAround(bad: unknown) {
  const records = [streamRecord("INSERT"), bad as DynamoDBStreamRecord, streamRecord("MODIFY")];
  return { records, result: decodeRecords(records) };
}

const badRecords: [DecodeErrorCode, string, unknown, string | undefined][] = [
  ["NOT_A_STREAM_RECORD", "a string", "hello", undefined],
  ["NOT_A_STREAM_RECORD", "no dynamodb member", { eventID: "x1", eventName: "INSERT" }, "x1"],
  [
    "NOT_A_STREAM_RECORD",
    "an unknown eventName",
    streamRecord("INSERT", {}, { eventName: "UPSERT", eventID: "x2" }),
    "x2",
  ],
  [
    "NOT_A_STREAM_RECORD",
    "no eventID",
    { ...streamRecord("INSERT"), eventID: undefined },
    undefined,
  ],
  [
    "NOT_A_STREAM_RECORD",
    "a sequence number that is not digits",
    streamRecord("INSERT", { SequenceNumber: "12a" }, { eventID: "x3" }),
    "x3",
  ],
  [
    "NOT_A_STREAM_RECORD",
    "no Keys",
    streamRecord("INSERT", { Keys: undefined }, { eventID: "x4" }),
    "x4",
  ],
  [
    "UNKNOWN_ATTRIBUTE_TYPE",
    "an unknown attribute type",
    streamRecord("INSERT", { NewImage: { a: { Z: "1" } as never } }, { eventID: "x5" }),
    "x5",
  ],
  [
    "INVALID_NUMBER",
    "an invalid number",
    streamRecord("INSERT", { NewImage: { total: { N: "1..2" } } }, { eventID: "x6" }),
    "x6",
  ],
  [
    "INVALID_BINARY",
    "invalid base64",
    streamRecord("INSERT", { NewImage: { blob: { B: "%%%%" } } }, { eventID: "x7" }),
    "x7",
  ],
  [
    "MISSING_IMAGE",
    "a missing NewImage",
    streamRecord("INSERT", { NewImage: undefined }, { eventID: "x8" }),
    "x8",
  ],
  [
    "MISSING_IMAGE",
    "a missing OldImage",
    streamRecord("REMOVE", { OldImage: undefined }, { eventID: "x9" }),
    "x9",
  ],
];

describe("a bad record fails alone, with a typed error", () => {
  it.each(badRecords)("%s: %s", (code, _why, bad, eventId) => {
    const { records, result } = batchAround(bad);
    expect(result.events.map((e) => e.raw)).toEqual([records[0], records[2]]);
    expect(result.failures).toHaveLength(1);
    const [failure] = result.failures;
    expect(failure!.position).toBe(1);
    expect(failure!.record).toBe(bad);
    expect(failure!.error).toBeInstanceOf(SluiceDecodeError);
    expect(failure!.error.code).toBe(code);
    expect(failure!.error.position).toBe(1);
    expect(failure!.error.eventId).toBe(eventId);
  });

  it("names the image and attribute path of a bad value", () => {
    const bad = streamRecord("MODIFY", {
      OldImage: { items: { L: [{ M: { price: { N: "1" } } }, { M: { price: { N: "x" } } }] } },
    });
    const error = decodeRecords([bad]).failures[0]!.error;
    expect(error.path).toBe("OldImage.items[1].price");
    expect(error.message).toContain("OldImage.items[1].price");
    expect(error.record).toBe(bad);
  });

  it("INVALID_KINESIS_PAYLOAD for garbage in a Kinesis record, and the rest decode", () => {
    const good = (record: DynamoDBStreamRecord, sequenceNumber: string): KinesisStreamRecord => ({
      eventID: `shardId-000000000001:${sequenceNumber}`,
      eventSource: "aws:kinesis",
      kinesis: {
        sequenceNumber,
        data: Buffer.from(
          JSON.stringify({ ...record, tableName: "Orders", recordFormat: "application/json" }),
        ).toString("base64"),
      },
    });
    const garbage = (data: string, sequenceNumber: string): KinesisStreamRecord => ({
      eventID: `shardId-000000000001:${sequenceNumber}`,
      eventSource: "aws:kinesis",
      kinesis: { sequenceNumber, data },
    });
    const records = [
      good(streamRecord("INSERT"), "1001"),
      garbage("!!!not base64 json", "1002"),
      garbage(Buffer.from("[1,2]").toString("base64"), "1003"),
      garbage(Buffer.from('{"hello":"world"}').toString("base64"), "1004"),
      good(streamRecord("REMOVE"), "1005"),
    ];
    const { events, failures } = decodeKinesisEvent({ Records: records });
    expect(events.map((e) => e.meta.sequenceNumber)).toEqual(["1001", "1005"]);
    expect(failures.map((f) => [f.position, f.error.code, f.error.eventId])).toEqual([
      [1, "INVALID_KINESIS_PAYLOAD", "shardId-000000000001:1002"],
      [2, "INVALID_KINESIS_PAYLOAD", "shardId-000000000001:1003"],
      [3, "INVALID_KINESIS_PAYLOAD", "shardId-000000000001:1004"],
    ]);
    expect(failures[0]!.record).toBe(records[1]);
  });

  it("a Lambda event with bad records still yields the good ones", () => {
    const result = decodeLambdaEvent({
      Records: [streamRecord("INSERT"), 5 as never, streamRecord("REMOVE")],
    });
    expect(result.events).toHaveLength(2);
    expect(result.failures[0]!.position).toBe(1);
  });
});
