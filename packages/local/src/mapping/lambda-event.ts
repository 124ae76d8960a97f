import type {
  _Record,
  AttributeValue as SdkAttributeValue,
} from "@aws-sdk/client-dynamodb-streams";
import type { AttributeValue, DynamoDBRecord } from "aws-lambda";
import { normalizeLocalStreamRecord } from "../ttl-quirk.js";

/** A stream record as Lambda delivers it, with what the mapping needs to schedule it. */
export interface StreamItem {
  record: DynamoDBRecord;
  sequenceNumber: string;
  /** Sequence numbers compare as integers, never as text. */
  order: bigint;
  /** ApproximateCreationDateTime in milliseconds, for record age and windows. */
  createdAtMs: number;
  /** Size of the record in the invocation payload. */
  payloadBytes: number;
  /** The item's key, so changes to one item stay in order across parallel batches. */
  itemKey: string;
}

const encoder = new TextEncoder();

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** GetRecords returns binary as bytes; Lambda's JSON event carries base64 strings. */
export function toLambdaAttribute(value: SdkAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  throw new TypeError(`Unknown AttributeValue type: ${Object.keys(value).join(", ")}`);
}

export function toLambdaImage(
  image: Record<string, SdkAttributeValue>,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(image)) out[name] = toLambdaAttribute(value);
  return out;
}

/** Builds the record of a Lambda event from a GetRecords record, in Lambda's field order. */
export function toLambdaRecord(record: _Record, eventSourceARN: string): DynamoDBRecord {
  const source = record.dynamodb;
  if (!source?.SequenceNumber) {
    throw new TypeError(`Stream record ${record.eventID} has no dynamodb.SequenceNumber.`);
  }
  const dynamodb: NonNullable<DynamoDBRecord["dynamodb"]> = {};
  if (source.ApproximateCreationDateTime !== undefined) {
    dynamodb.ApproximateCreationDateTime = Math.floor(
      source.ApproximateCreationDateTime.getTime() / 1000,
    );
  }
  if (source.Keys) dynamodb.Keys = toLambdaImage(source.Keys);
  if (source.NewImage) dynamodb.NewImage = toLambdaImage(source.NewImage);
  if (source.OldImage) dynamodb.OldImage = toLambdaImage(source.OldImage);
  dynamodb.SequenceNumber = source.SequenceNumber;
  if (source.SizeBytes !== undefined) dynamodb.SizeBytes = source.SizeBytes;
  if (source.StreamViewType) dynamodb.StreamViewType = source.StreamViewType;

  const out: DynamoDBRecord = {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord["eventName"],
    eventVersion: record.eventVersion ?? "1.1",
    eventSource: record.eventSource ?? "aws:dynamodb",
    awsRegion: record.awsRegion,
    dynamodb,
  };
  if (record.userIdentity) {
    out.userIdentity = {
      type: record.userIdentity.Type,
      principalId: record.userIdentity.PrincipalId,
    };
  }
  out.eventSourceARN = eventSourceARN;
  return out;
}

/** Canonical text of an item key: attribute names sorted, so equal keys give equal text. */
function keyText(keys: Record<string, AttributeValue> | undefined): string {
  if (!keys) return "";
  return JSON.stringify(
    Object.keys(keys)
      .sort()
      .map((name) => [name, keys[name]]),
  );
}

/** A GetRecords record as the mapping handles it; DynamoDB Local's TTL quirk is undone here. */
export function toStreamItem(record: _Record, eventSourceARN: string): StreamItem {
  const lambdaRecord = normalizeLocalStreamRecord(toLambdaRecord(record, eventSourceARN));
  const sequenceNumber = lambdaRecord.dynamodb?.SequenceNumber as string;
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    record: lambdaRecord,
    sequenceNumber,
    order: BigInt(sequenceNumber),
    createdAtMs: created ? created.getTime() : Date.now(),
    payloadBytes: encoder.encode(JSON.stringify(lambdaRecord)).length,
    itemKey: keyText(lambdaRecord.dynamodb?.Keys),
  };
}
