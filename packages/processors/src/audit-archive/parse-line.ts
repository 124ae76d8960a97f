import { type DynamoDBStreamRecord, isSequenceNumber } from "@sluice/records";
import { type TypeNode, toImage } from "./attribute-json.js";
import { AuditArchiveError } from "./errors.js";
import { JsonNumber, parseExactJson } from "./exact-json.js";
import { LINE_VERSION } from "./line.js";

/** The `meta` of a line, as `archiveLine` writes it. */
export interface LineMeta {
  eventId: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  sequenceNumber: string;
  tableName: string;
  region?: string;
  approximateCreationTime: string;
  sizeBytes?: number;
  viewType?: string;
  streamArn?: string;
  shardId?: string;
  cause?: "ttl" | "user";
}

const EVENT_NAMES = new Set(["INSERT", "MODIFY", "REMOVE"]);

/** The DynamoDB service's identity on TTL deletions, as Lambda events spell it. */
const TTL_IDENTITY = { type: "Service", principalId: "dynamodb.amazonaws.com" };

function malformed(message: string): AuditArchiveError {
  return new AuditArchiveError("MALFORMED_LINE", message);
}

function textOf(meta: Record<string, unknown>, name: string): string | undefined {
  const value = meta[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw malformed(`meta.${name} must be a string`);
  return value;
}

function metaOf(value: unknown): LineMeta {
  if (typeof value !== "object" || value === null) throw malformed("meta is missing");
  const meta = value as Record<string, unknown>;
  const eventId = textOf(meta, "eventId");
  const eventName = textOf(meta, "eventName");
  const sequenceNumber = textOf(meta, "sequenceNumber");
  const tableName = textOf(meta, "tableName");
  const time = textOf(meta, "approximateCreationTime");
  if (!eventId) throw malformed("meta.eventId is missing");
  if (!eventName || !EVENT_NAMES.has(eventName)) throw malformed("meta.eventName is missing");
  if (!isSequenceNumber(sequenceNumber)) throw malformed("meta.sequenceNumber is not digits");
  if (!tableName) throw malformed("meta.tableName is missing");
  if (!time || Number.isNaN(Date.parse(time))) throw malformed("meta.approximateCreationTime");
  const sizeBytes = meta.sizeBytes instanceof JsonNumber ? Number(meta.sizeBytes.text) : undefined;
  const cause = textOf(meta, "cause");
  const optional = (name: string) => {
    const text = textOf(meta, name);
    return text === undefined ? {} : { [name]: text };
  };
  return {
    eventId,
    eventName: eventName as LineMeta["eventName"],
    sequenceNumber,
    tableName,
    approximateCreationTime: time,
    ...optional("region"),
    ...optional("viewType"),
    ...optional("streamArn"),
    ...optional("shardId"),
    ...(sizeBytes === undefined ? {} : { sizeBytes }),
    ...(cause === "ttl" || cause === "user" ? { cause } : {}),
  };
}

/** One archived change: its metadata and the stream record rebuilt in Lambda's JSON form. */
export interface ArchivedLine {
  meta: LineMeta;
  record: DynamoDBStreamRecord;
}

/**
 * Reads one line of an archive object back into the record Lambda delivered: typed attribute
 * values, epoch-second creation time, and the TTL identity on TTL deletions.
 */
export function parseArchiveLine(text: string): ArchivedLine {
  let parsed: unknown;
  try {
    parsed = parseExactJson(text);
  } catch (error) {
    throw new AuditArchiveError("MALFORMED_LINE", `not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw malformed("a line must be a JSON object");
  }
  const line = parsed as Record<string, unknown>;
  const version = line.v instanceof JsonNumber ? line.v.text : undefined;
  if (version !== String(LINE_VERSION)) {
    throw malformed(
      `unknown line version ${version ?? "(none)"}; this reader knows ${LINE_VERSION}`,
    );
  }
  const meta = metaOf(line.meta);
  const types = (line.types ?? {}) as Record<string, TypeNode>;
  const image = (name: "keys" | "oldImage" | "newImage") =>
    line[name] === undefined ? undefined : toImage(line[name], types[name], name);
  const Keys = image("keys");
  if (!Keys) throw malformed("keys are missing");
  const OldImage = image("oldImage");
  const NewImage = image("newImage");
  const record: DynamoDBStreamRecord = {
    eventID: meta.eventId,
    eventName: meta.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    ...(meta.region && { awsRegion: meta.region }),
    ...(meta.streamArn && { eventSourceARN: meta.streamArn }),
    ...(meta.cause === "ttl" && { userIdentity: { ...TTL_IDENTITY } }),
    dynamodb: {
      ApproximateCreationDateTime: Date.parse(meta.approximateCreationTime) / 1000,
      Keys,
      ...(NewImage && { NewImage }),
      ...(OldImage && { OldImage }),
      SequenceNumber: meta.sequenceNumber,
      ...(meta.sizeBytes !== undefined && { SizeBytes: meta.sizeBytes }),
      ...(meta.viewType && { StreamViewType: meta.viewType }),
    },
  };
  return { meta, record };
}
