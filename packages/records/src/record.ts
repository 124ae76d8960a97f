import { parseStreamArn } from "./arn.js";
import { decodeImage, joinPath } from "./attribute.js";
import { SluiceDecodeError } from "./errors.js";
import { isSequenceNumber } from "./sequence.js";
import { epochToDate, epochUnit } from "./time.js";
import { removeCause } from "./ttl.js";
import type {
  AttributeMap,
  ChangeEvent,
  ChangeMeta,
  DecodeOptions,
  DynamoDBStreamRecord,
  EventName,
  Item,
  SourceKind,
  StreamViewType,
} from "./types.js";

/** Where a record sits and what its source knows about it beyond the record itself. */
export interface RecordContext {
  source: SourceKind;
  /** Index of the record in the input. */
  position: number;
  options?: DecodeOptions;
  shardId?: string;
  /** Used when the record has no `eventSourceARN` (GetRecords, failure destinations). */
  streamArn?: string;
  /** For sources whose change record has none of its own (Kinesis). */
  sequenceNumber?: string;
  tableName?: string;
  approximateCreationTime?: Date;
}

const NO_OPTIONS: DecodeOptions = {};

const KIND = { INSERT: "insert", MODIFY: "modify", REMOVE: "remove" } as const;

function isViewType(value: unknown): value is StreamViewType {
  return (
    value === "NEW_AND_OLD_IMAGES" ||
    value === "NEW_IMAGE" ||
    value === "OLD_IMAGE" ||
    value === "KEYS_ONLY"
  );
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  // Lambda sends epoch seconds; GetRecords written out as JSON may carry ISO text. Hand-made
  // events sometimes hold milliseconds or microseconds, which as seconds would be past year 5000.
  if (typeof value === "number") return epochToDate(value, epochUnit(value, "second"));
  if (typeof value === "string") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

function recordError(
  code: "NOT_A_STREAM_RECORD" | "MISSING_IMAGE",
  message: string,
  record: unknown,
  position: number,
  eventId: string | undefined,
): SluiceDecodeError {
  return new SluiceDecodeError(code, message, {
    ...(eventId === undefined ? {} : { eventId }),
    position,
    record,
  });
}

/**
 * Turns one stream record into a ChangeEvent. Throws SluiceDecodeError, carrying the record, its
 * eventID and position, when the record cannot be decoded.
 */
export function decodeRecord<T = Item>(
  record: DynamoDBStreamRecord,
  ctx: RecordContext,
): ChangeEvent<T> {
  const options = ctx.options ?? NO_OPTIONS;
  const position = ctx.position;
  const eventId = typeof record?.eventID === "string" ? record.eventID : undefined;
  const fail = (code: "NOT_A_STREAM_RECORD" | "MISSING_IMAGE", message: string): never => {
    throw recordError(code, message, record, position, eventId);
  };

  if (typeof record !== "object" || record === null || Array.isArray(record)) {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} is not an object: pass the stream records themselves (event.Records), each with eventID, eventName and dynamodb`,
    );
  }
  const change = record.dynamodb;
  if (typeof change !== "object" || change === null) {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} has no "dynamodb" object: this is not a DynamoDB stream record; check the event source is a DynamoDB stream`,
    );
  }
  const eventName = record.eventName;
  if (eventName !== "INSERT" && eventName !== "MODIFY" && eventName !== "REMOVE") {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} has eventName ${JSON.stringify(eventName)}: a DynamoDB stream record is INSERT, MODIFY or REMOVE`,
    );
  }
  if (eventId === undefined) {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} has no eventID: every stream record carries one; pass records unmodified`,
    );
  }
  const sequenceNumber = ctx.sequenceNumber ?? change.SequenceNumber;
  if (!isSequenceNumber(sequenceNumber)) {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} has SequenceNumber ${JSON.stringify(sequenceNumber)}: a stream record carries a string of digits; pass records unmodified`,
    );
  }
  if (typeof change.Keys !== "object" || change.Keys === null) {
    return fail(
      "NOT_A_STREAM_RECORD",
      `Record ${position} has no Keys: every stream record carries its item's keys; pass records unmodified`,
    );
  }

  const viewType = isViewType(change.StreamViewType) ? change.StreamViewType : undefined;
  // The images the view type promises for this kind of change. Without a view type (Kinesis),
  // whatever the record holds is used. An image the view type rules out is never exposed.
  const keepNew =
    eventName !== "REMOVE" &&
    (viewType === undefined || viewType === "NEW_AND_OLD_IMAGES" || viewType === "NEW_IMAGE");
  const keepOld =
    eventName !== "INSERT" &&
    (viewType === undefined || viewType === "NEW_AND_OLD_IMAGES" || viewType === "OLD_IMAGE");
  if (keepNew && viewType !== undefined && change.NewImage === undefined) {
    fail(
      "MISSING_IMAGE",
      `Record ${position} is ${eventName} on a ${viewType} stream but has no NewImage: check the record was not trimmed, or that StreamViewType matches the stream`,
    );
  }
  if (keepOld && viewType !== undefined && change.OldImage === undefined) {
    fail(
      "MISSING_IMAGE",
      `Record ${position} is ${eventName} on a ${viewType} stream but has no OldImage: check the record was not trimmed, or that StreamViewType matches the stream`,
    );
  }

  let part = "Keys";
  let keys: Item;
  let newImage: Item | undefined;
  let oldImage: Item | undefined;
  try {
    keys = decodeImage(change.Keys, options);
    part = "OldImage";
    if (keepOld && change.OldImage !== undefined)
      oldImage = decodeImage(change.OldImage as AttributeMap, options);
    part = "NewImage";
    if (keepNew && change.NewImage !== undefined)
      newImage = decodeImage(change.NewImage as AttributeMap, options);
  } catch (error) {
    if (!(error instanceof SluiceDecodeError)) throw error;
    const path = joinPath(part, error.path);
    throw new SluiceDecodeError(
      error.code,
      `Record ${position} (${eventId}), ${path}: ${error.message}`,
      {
        eventId,
        position,
        path,
        record,
      },
    );
  }

  const meta = buildMeta(record, ctx, eventId, eventName, sequenceNumber, viewType);
  const event: Record<string, unknown> = { kind: KIND[eventName], keys };
  if (oldImage !== undefined) event.oldImage = oldImage;
  if (newImage !== undefined) event.newImage = newImage;
  if (eventName === "REMOVE") event.cause = removeCause(record, options);
  event.meta = meta;
  event.raw = record;
  return event as unknown as ChangeEvent<T>;
}

function buildMeta(
  record: DynamoDBStreamRecord,
  ctx: RecordContext,
  eventId: string,
  eventName: EventName,
  sequenceNumber: string,
  viewType: StreamViewType | undefined,
): ChangeMeta {
  const change = record.dynamodb ?? {};
  const meta: ChangeMeta = {
    eventId,
    eventName,
    sequenceNumber,
    source: ctx.source,
    position: ctx.position,
  };
  if (ctx.shardId !== undefined) meta.shardId = ctx.shardId;
  const streamArn =
    typeof record.eventSourceARN === "string" ? record.eventSourceARN : ctx.streamArn;
  const arn = streamArn === undefined ? undefined : parseStreamArn(streamArn);
  if (streamArn !== undefined) meta.streamArn = streamArn;
  const tableName = ctx.tableName ?? arn?.tableName;
  if (tableName !== undefined) meta.tableName = tableName;
  const region = arn?.region ?? record.awsRegion;
  if (region !== undefined) meta.region = region;
  const created = ctx.approximateCreationTime ?? toDate(change.ApproximateCreationDateTime);
  if (created !== undefined) meta.approximateCreationTime = created;
  if (typeof change.SizeBytes === "number") meta.sizeBytes = change.SizeBytes;
  if (viewType !== undefined) meta.viewType = viewType;
  return meta;
}
