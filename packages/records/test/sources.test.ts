import { describe, expect, it } from "vitest";
import {
  type ChangeEvent,
  type DynamoDBStreamEvent,
  decode,
  decodeFailureDestinationPayload,
  decodeGetRecordsOutput,
  decodeKinesisEvent,
  decodeLambdaEvent,
  decodePipesBatch,
  detectSource,
  type FailureDestinationPayload,
  type KinesisStreamEvent,
  SluiceDecodeError,
  stripBom,
} from "../src/index.js";
import { getRecordsOutput } from "./fixtures/get-records-output.js";
import { fixture } from "./fixtures/load.js";

const STREAM_ARN =
  "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-11-01T08:15:30.123";

describe("Lambda DynamoDB stream event", () => {
  const event = fixture<DynamoDBStreamEvent>("lambda-event.json");
  const { events, failures } = decodeLambdaEvent(event);

  it("decodes every record with its kind and images", () => {
    expect(failures).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(["insert", "modify", "remove", "remove"]);
    const [insert, modify] = events as [ChangeEvent, ChangeEvent];
    expect(insert.newImage).toMatchObject({
      status: "pending",
      total: 149.97,
      items: [{ qty: 2 }, { qty: 1 }],
    });
    expect(insert.oldImage).toBeUndefined();
    expect(modify.oldImage?.status).toBe("pending");
    expect(modify.newImage?.status).toBe("paid");
    expect(insert.newImage?.paymentReference).toBe(12345678901234567890123456789012345678n);
    expect(insert.keys).toEqual({ PK: "CUSTOMER#c-1001", SK: "ORDER#o-5001" });
  });

  it("fills metadata from the record and its ARN", () => {
    const meta = events[0]!.meta;
    expect(meta).toEqual({
      eventId: event.Records[0]!.eventID,
      eventName: "INSERT",
      sequenceNumber: event.Records[0]!.dynamodb!.SequenceNumber,
      streamArn: STREAM_ARN,
      tableName: "Orders",
      region: "eu-west-1",
      approximateCreationTime: new Date("2026-11-20T14:03:11Z"),
      sizeBytes: event.Records[0]!.dynamodb!.SizeBytes,
      viewType: "NEW_AND_OLD_IMAGES",
      source: "lambda",
      position: 0,
    });
    expect(events[3]!.meta.position).toBe(3);
  });

  it("marks TTL deletions by the service identity and user deletions otherwise", () => {
    expect(events[2]).toMatchObject({ kind: "remove", cause: "ttl" });
    expect(events[3]).toMatchObject({ kind: "remove", cause: "user" });
    expect(events[2]!.oldImage?.expiresAt).toBe(1795132800);
  });

  it("keeps the original record as raw", () => {
    expect(events[1]!.raw).toBe(event.Records[1]);
  });

  it("takes the shard id from a tumbling-window event", () => {
    const windowed = fixture<DynamoDBStreamEvent>("lambda-tumbling-window.json");
    expect(decodeLambdaEvent(windowed).events[0]!.meta.shardId).toBe(windowed.shardId);
  });

  it("decodes KEYS_ONLY records with keys and no images", () => {
    const result = decodeLambdaEvent(fixture<DynamoDBStreamEvent>("lambda-keys-only.json"));
    expect(result.failures).toEqual([]);
    for (const e of result.events) {
      expect(e.keys.PK).toBeTypeOf("string");
      expect("newImage" in e).toBe(false);
      expect("oldImage" in e).toBe(false);
      expect(e.meta.viewType).toBe("KEYS_ONLY");
    }
    expect(result.events[2]).toMatchObject({ kind: "remove", cause: "ttl" });
  });
});

describe("GetRecords output", () => {
  it("decodes Dates and bytes and takes the ARN and shard from the caller", () => {
    const { events, failures } = decodeGetRecordsOutput(getRecordsOutput, {
      streamArn: STREAM_ARN,
      shardId: "shardId-00000001795180000000-2f7e9a1b",
    });
    expect(failures).toEqual([]);
    const [insert, remove] = events as [ChangeEvent, ChangeEvent];
    expect(insert.meta).toMatchObject({
      source: "get-records",
      tableName: "Orders",
      region: "eu-west-1",
      shardId: "shardId-00000001795180000000-2f7e9a1b",
      approximateCreationTime: new Date("2026-11-20T14:03:11Z"),
    });
    expect(insert.newImage?.fingerprint).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    expect(insert.newImage?.devices).toEqual(
      new Set([new Uint8Array([1, 2]), new Uint8Array([3])]),
    );
    expect(remove).toMatchObject({ kind: "remove", cause: "ttl" });
  });
});

describe("GetRecords output as the AWS CLI writes it", () => {
  it("reads epoch seconds, base64 binary and the capitalized TTL identity", () => {
    const { events, failures } = decode(fixture("get-records-cli.json"));
    expect(failures).toEqual([]);
    expect(events[0]!.meta).toMatchObject({
      source: "get-records",
      approximateCreationTime: new Date("2026-11-20T14:03:11Z"),
    });
    expect(events[1]).toMatchObject({ kind: "remove", cause: "ttl" });
    expect(events[1]!.oldImage?.fingerprint).toEqual(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  });
});

describe("Kinesis Data Streams for DynamoDB", () => {
  const event = fixture<KinesisStreamEvent>("kinesis-event.json");
  const { events, failures } = decodeKinesisEvent(event);

  it("decodes the change record inside each Kinesis record", () => {
    expect(failures).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(["insert", "modify", "remove"]);
    expect(events[1]!.oldImage?.status).toBe("pending");
    expect(events[2]).toMatchObject({ cause: "ttl" });
  });

  it("uses the Kinesis sequence number, shard and stream, and the table from the payload", () => {
    expect(events[0]!.meta).toMatchObject({
      eventId: "5d4c1e7f-0b2a-4c8e-9f3d-1a2b3c4d5e60",
      sequenceNumber: event.Records[0]!.kinesis.sequenceNumber,
      shardId: "shardId-000000000003",
      streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders-changes",
      tableName: "Orders",
      region: "eu-west-1",
      source: "kinesis",
    });
  });

  it("reads creation time in milliseconds or microseconds", () => {
    expect(events[0]!.meta.approximateCreationTime).toEqual(new Date(1795183391123));
    expect(events[1]!.meta.approximateCreationTime).toEqual(new Date(1795183391123.456));
    const forced = decodeKinesisEvent(event, { timePrecision: "MICROSECOND" });
    expect(forced.events[0]!.meta.approximateCreationTime).toEqual(new Date(1795183391.123));
  });
});

describe("Kinesis payload with a byte-order mark", () => {
  it("decodes the change record after the mark", () => {
    const event = fixture<KinesisStreamEvent>("kinesis-event.json");
    const first = event.Records[0]!;
    const json = Buffer.from(first.kinesis.data, "base64").toString("utf8");
    const data = Buffer.from(`\uFEFF${json}`, "utf8").toString("base64");
    const withBom = { Records: [{ ...first, kinesis: { ...first.kinesis, data } }] };
    const { events, failures } = decodeKinesisEvent(withBom);
    expect(failures).toEqual([]);
    expect(events[0]!.meta.tableName).toBe("Orders");
  });
});

describe("stripBom", () => {
  it("drops one leading byte-order mark and nothing else", () => {
    expect(stripBom('\uFEFF{"a":1}')).toBe('{"a":1}');
    expect(stripBom('{"a":"\uFEFF"}')).toBe('{"a":"\uFEFF"}');
    expect(stripBom("")).toBe("");
  });
});

describe("EventBridge Pipes batch", () => {
  it("decodes the array of records", () => {
    const { events, failures } = decodePipesBatch(fixture("pipes-batch.json"));
    expect(failures).toEqual([]);
    expect(events.map((e) => [e.kind, e.meta.source])).toEqual([
      ["insert", "pipes"],
      ["remove", "pipes"],
    ]);
  });
});

describe("Lambda on-failure destination", () => {
  it("decodes the records inside an S3 destination object, with shard and stream", () => {
    const payload = fixture<FailureDestinationPayload>("failure-destination-s3.json");
    const { events, failures } = decodeFailureDestinationPayload(payload);
    expect(failures).toEqual([]);
    expect(events).toHaveLength(4);
    expect(events[0]!.meta).toMatchObject({
      source: "failure-destination",
      shardId: payload.DDBStreamBatchInfo.shardId,
      sequenceNumber: payload.DDBStreamBatchInfo.startSequenceNumber,
      tableName: "Orders",
    });
    const asObject = { ...payload, payload: JSON.parse(payload.payload as string) };
    expect(decodeFailureDestinationPayload(asObject).events).toHaveLength(4);
  });

  it("accepts a text payload that starts with a byte-order mark", () => {
    const payload = fixture<FailureDestinationPayload>("failure-destination-s3.json");
    const withBom = { ...payload, payload: `\uFEFF${payload.payload as string}` };
    const { events, failures } = decodeFailureDestinationPayload(withBom);
    expect(failures).toEqual([]);
    expect(events).toHaveLength(4);
  });

  it("says an SQS/SNS message holds no records", () => {
    const payload = fixture<FailureDestinationPayload>("failure-destination-sqs.json");
    expect(() => decodeFailureDestinationPayload(payload)).toThrow(/only the shard range/);
  });

  it("rejects a payload that is not the invocation event", () => {
    const payload = fixture<FailureDestinationPayload>("failure-destination-sqs.json");
    for (const bad of ["{not json", JSON.stringify({ nope: 1 })]) {
      expect(() => decodeFailureDestinationPayload({ ...payload, payload: bad })).toThrowError(
        expect.objectContaining({ code: "UNKNOWN_SOURCE" }),
      );
    }
  });
});

describe("decode detects the source", () => {
  const cases: [string, unknown][] = [
    ["lambda", fixture("lambda-event.json")],
    ["get-records", getRecordsOutput],
    ["kinesis", fixture("kinesis-event.json")],
    ["pipes", fixture("pipes-batch.json")],
    ["failure-destination", fixture("failure-destination-s3.json")],
  ];
  it.each(cases)("%s", (source, input) => {
    expect(detectSource(input)).toBe(source);
    const result = decode(input);
    expect(result.source).toBe(source);
    expect(result.failures).toEqual([]);
    expect(result.events.length).toBeGreaterThan(0);
    for (const e of result.events) expect(e.meta.source).toBe(source);
  });

  it("throws UNKNOWN_SOURCE for anything else", () => {
    for (const input of [
      null,
      42,
      "text",
      {},
      { Records: "x" },
      [{ hello: 1 }],
      { Records: [{ eventSource: "aws:s3" }] },
    ]) {
      expect(() => decode(input)).toThrowError(SluiceDecodeError);
      expect(() => decode(input)).toThrowError(expect.objectContaining({ code: "UNKNOWN_SOURCE" }));
    }
  });
});
