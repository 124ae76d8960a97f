import { type DecodeResult, toDecodeError } from "../batch.js";
import { type DecodeFailure, SluiceDecodeError } from "../errors.js";
import { decodeRecord, type RecordContext } from "../record.js";
import { stripBom } from "../text.js";
import { type EpochUnit, epochToDate, epochUnit } from "../time.js";
import type { ChangeEvent, DecodeOptions, DynamoDBStreamRecord, Item } from "../types.js";

/** One record of a Lambda event from a Kinesis data stream. */
export interface KinesisStreamRecord {
  eventID?: string;
  eventSource?: string;
  eventSourceARN?: string;
  awsRegion?: string;
  kinesis: {
    /** Base64 of the DynamoDB change record as JSON. */
    data: string;
    sequenceNumber: string;
    partitionKey?: string;
    approximateArrivalTimestamp?: number;
    kinesisSchemaVersion?: string;
  };
}

export interface KinesisStreamEvent {
  Records: KinesisStreamRecord[];
}

/** The DynamoDB change record that Kinesis Data Streams for DynamoDB writes as JSON. */
export interface KinesisChangeRecord extends DynamoDBStreamRecord {
  tableName?: string;
  recordFormat?: string;
}

export interface KinesisDecodeOptions extends DecodeOptions {
  /**
   * Unit of `ApproximateCreationDateTime`, as the table's Kinesis destination is configured.
   * When unset it is read from the magnitude: microsecond values are a thousand times larger.
   */
  timePrecision?: "MILLISECOND" | "MICROSECOND";
}

export function isKinesisEvent(input: unknown): input is KinesisStreamEvent {
  if (typeof input !== "object" || input === null) return false;
  const records = (input as { Records?: unknown }).Records;
  if (!Array.isArray(records) || records.length === 0) return false;
  const first = records[0] as { eventSource?: unknown; kinesis?: unknown };
  return first.eventSource === "aws:kinesis" || typeof first.kinesis === "object";
}

function creationTime(
  value: unknown,
  precision: KinesisDecodeOptions["timePrecision"],
): Date | undefined {
  if (typeof value !== "number") return undefined;
  const unit: EpochUnit =
    precision === undefined
      ? epochUnit(value, "millisecond")
      : precision === "MICROSECOND"
        ? "microsecond"
        : "millisecond";
  return epochToDate(value, unit);
}

function parsePayload(record: KinesisStreamRecord, position: number): KinesisChangeRecord {
  const eventId = typeof record?.eventID === "string" ? record.eventID : undefined;
  const invalid = (why: string, cause?: unknown) =>
    new SluiceDecodeError(
      "INVALID_KINESIS_PAYLOAD",
      `Kinesis record ${position}${eventId === undefined ? "" : ` (${eventId})`} ${why}: Kinesis Data Streams for DynamoDB sends base64 of a JSON change record`,
      { ...(eventId === undefined ? {} : { eventId }), position, record, cause },
    );
  const data = record?.kinesis?.data;
  if (typeof data !== "string") throw invalid("has no kinesis.data");
  let payload: unknown;
  try {
    payload = JSON.parse(stripBom(Buffer.from(data, "base64").toString("utf8")));
  } catch (error) {
    throw invalid("holds data that is not base64 JSON", error);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw invalid("holds JSON that is not an object");
  }
  const change = payload as KinesisChangeRecord;
  if (change.eventSource !== "aws:dynamodb" || typeof change.dynamodb !== "object") {
    throw invalid("holds JSON that is not a DynamoDB change record");
  }
  if (change.recordFormat !== undefined && change.recordFormat !== "application/json") {
    throw invalid(`has recordFormat ${JSON.stringify(change.recordFormat)}, not application/json`);
  }
  return change;
}

/**
 * Decodes a Lambda event from Kinesis Data Streams for DynamoDB. The change records there have
 * no DynamoDB sequence number, so `meta.sequenceNumber` is the Kinesis record's sequence number:
 * what Lambda expects in `batchItemFailures` for a Kinesis source. Kinesis may reorder and
 * duplicate changes; order them per item by `approximateCreationTime`. `meta.streamArn` and
 * `meta.shardId` name the Kinesis stream and shard; `raw` is the decoded change record and a
 * failure's `record` the Kinesis record.
 */
export function decodeKinesisEvent<T = Item>(
  event: KinesisStreamEvent,
  options: KinesisDecodeOptions = {},
): DecodeResult<T> {
  if (typeof event !== "object" || event === null || !Array.isArray(event.Records)) {
    throw new SluiceDecodeError(
      "UNKNOWN_SOURCE",
      'Not a Lambda Kinesis event: expected an object with a "Records" array',
    );
  }
  const events: ChangeEvent<T>[] = [];
  const failures: DecodeFailure[] = [];
  event.Records.forEach((record, position) => {
    try {
      const change = parsePayload(record, position);
      const ctx: RecordContext = { source: "kinesis", position, options };
      const sequenceNumber = record.kinesis.sequenceNumber;
      if (typeof sequenceNumber === "string") ctx.sequenceNumber = sequenceNumber;
      // Lambda's Kinesis eventID is "<shardId>:<sequenceNumber>".
      const shardId = record.eventID?.split(":")[0];
      if (shardId) ctx.shardId = shardId;
      if (record.eventSourceARN !== undefined) ctx.streamArn = record.eventSourceARN;
      if (change.tableName !== undefined) ctx.tableName = change.tableName;
      const created = creationTime(
        change.dynamodb?.ApproximateCreationDateTime,
        options.timePrecision,
      );
      if (created !== undefined) ctx.approximateCreationTime = created;
      events.push(decodeRecord<T>(change, ctx));
    } catch (error) {
      failures.push({ error: toDecodeError(error, record, position), record, position });
    }
  });
  return { events, failures };
}
