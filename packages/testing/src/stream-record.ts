import type {
  AttributeMap,
  DynamoDBStreamEvent,
  DynamoDBStreamRecord,
  EventName,
  StreamViewType,
} from "@sluice/records";

export interface StreamRecordInput {
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
  /** Default: INSERT with only a new image, REMOVE with only an old one, MODIFY with both. */
  eventName?: EventName;
  /** Numbers the default eventID and sequence number, so records of one test stay in order. */
  index?: number;
  eventId?: string;
  /** Default: 10^25 + 100 * index, wider than a JS number like real ones. */
  sequenceNumber?: string;
  /** Default Orders. */
  table?: string;
  /** Default us-east-1. */
  region?: string;
  /** Default NEW_AND_OLD_IMAGES. Images are included as given; the view type is only stated. */
  viewType?: StreamViewType;
  /** Epoch seconds, as Lambda sends ApproximateCreationDateTime. Default 2026-11-21T00:00:00Z. */
  createdAt?: number;
  /** A deletion by DynamoDB's TTL process: adds the service's userIdentity. */
  ttl?: boolean;
}

const ACCOUNT = "123456789012";
const STREAM_LABEL = "2026-11-21T00:00:00.000";
const CREATED_AT = 1_763_683_200;

/** The ARN of a table's stream, as Lambda puts it in `eventSourceARN`. */
export function streamArnOf(table = "Orders", region = "us-east-1"): string {
  return `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}/stream/${STREAM_LABEL}`;
}

function eventNameOf(input: StreamRecordInput): EventName {
  if (input.eventName) return input.eventName;
  if (input.newImage && input.oldImage) return "MODIFY";
  return input.oldImage ? "REMOVE" : "INSERT";
}

/** A DynamoDB stream record exactly as Lambda delivers it, with defaults for what a test leaves out. */
export function streamRecord(input: StreamRecordInput): DynamoDBStreamRecord {
  const index = input.index ?? 0;
  const region = input.region ?? "us-east-1";
  const images = {
    Keys: input.keys,
    ...(input.newImage && { NewImage: input.newImage }),
    ...(input.oldImage && { OldImage: input.oldImage }),
  };
  return {
    eventID: input.eventId ?? `event-${index}`,
    eventName: eventNameOf(input),
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: region,
    eventSourceARN: streamArnOf(input.table, region),
    ...(input.ttl && {
      userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
    }),
    dynamodb: {
      ApproximateCreationDateTime: input.createdAt ?? CREATED_AT,
      ...images,
      SequenceNumber: input.sequenceNumber ?? (10n ** 25n + BigInt(index) * 100n).toString(),
      SizeBytes: JSON.stringify(images).length,
      StreamViewType: input.viewType ?? "NEW_AND_OLD_IMAGES",
    },
  };
}

/** A Lambda event for a DynamoDB stream trigger. */
export function streamEvent(records: DynamoDBStreamRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}
