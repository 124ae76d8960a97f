/** Wire types of DynamoDB stream records and the typed change events sluice decodes them into. */

/** A DynamoDB AttributeValue. Binary is base64 text in Lambda events and bytes from the SDK. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Uint8Array | string }
  | { BOOL: boolean }
  // DynamoDB only sends true; boolean keeps @types/aws-lambda's events assignable.
  | { NULL: boolean }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: (Uint8Array | string)[] }
  // The AWS SDK's name for a type it does not know; decoding it fails with UNKNOWN_ATTRIBUTE_TYPE.
  | { $unknown: [string, unknown] };

export type AttributeMap = Record<string, AttributeValue>;

export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

export type EventName = "INSERT" | "MODIFY" | "REMOVE";

/** Where a record came from. */
export type SourceKind = "lambda" | "get-records" | "kinesis" | "pipes" | "failure-destination";

/**
 * A DynamoDB stream record as Lambda delivers it (`event.Records[i]`).
 * GetRecords returns the same shape with `ApproximateCreationDateTime` as a Date and binaries as bytes.
 */
export interface DynamoDBStreamRecord {
  eventID?: string;
  eventName?: EventName | string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  eventSourceARN?: string;
  /** Lambda spells the members `type` and `principalId`; GetRecords spells them `Type` and `PrincipalId`. */
  userIdentity?: {
    type?: string;
    principalId?: string;
    Type?: string;
    PrincipalId?: string;
  } | null;
  dynamodb?: {
    ApproximateCreationDateTime?: number | Date;
    Keys?: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: StreamViewType | string;
  };
}

/** A Lambda event for a DynamoDB stream trigger. */
export interface DynamoDBStreamEvent {
  Records: DynamoDBStreamRecord[];
  /** Present when the event source mapping uses tumbling windows. */
  window?: { start: string; end: string };
  state?: Record<string, unknown>;
  shardId?: string;
  eventSourceARN?: string;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
  /**
   * Set by sluice's replay engine, never by Lambda: these records are replayed from a dead-letter
   * source on purpose, so checkpoints neither skip them nor move because of them.
   */
  replay?: boolean;
}

/** An exact decimal that does not fit a JS number; `value` is the number as DynamoDB sent it, normalized. */
export interface Decimal {
  readonly kind: "decimal";
  readonly value: string;
}

/**
 * How numbers decode.
 * - `auto` (default): a JS number when it round-trips exactly, else bigint for integers and Decimal otherwise.
 * - `number`: always a JS number (may round; the caller asked for it).
 * - `bigint`: integers as bigint, non-integers as Decimal.
 * - `string`: the number's text as DynamoDB sent it.
 */
export type NumberMode = "auto" | "number" | "bigint" | "string";

export interface DecodeOptions {
  numbers?: NumberMode;
  /**
   * Name of the table's TTL attribute. When set, a REMOVE without the DynamoDB service identity
   * whose old image's TTL (epoch seconds) is in the past counts as a TTL deletion. Global table
   * replicas see TTL deletes as plain removes; this recovers them.
   */
  ttlAttribute?: string;
  /** Clock used by TTL inference, in epoch milliseconds. */
  now?: () => number;
}

/** Metadata of a change, parsed from the record and its ARN. */
export interface ChangeMeta {
  eventId: string;
  eventName: EventName;
  /** Digits; compare with `compareSequenceNumbers`, never as text. */
  sequenceNumber: string;
  shardId?: string;
  streamArn?: string;
  tableName?: string;
  region?: string;
  approximateCreationTime?: Date;
  sizeBytes?: number;
  viewType?: StreamViewType;
  source: SourceKind;
  /** Position of the record in the input it was decoded from. */
  position: number;
}

export type Item = Record<string, unknown>;

type NewImageOf<T, V extends StreamViewType> = V extends "NEW_IMAGE" | "NEW_AND_OLD_IMAGES"
  ? { newImage: T }
  : V extends "KEYS_ONLY" | "OLD_IMAGE"
    ? { newImage?: undefined }
    : { newImage?: T };

type OldImageOf<T, V extends StreamViewType> = V extends "OLD_IMAGE" | "NEW_AND_OLD_IMAGES"
  ? { oldImage: T }
  : V extends "KEYS_ONLY" | "NEW_IMAGE"
    ? { oldImage?: undefined }
    : { oldImage?: T };

interface ChangeBase<K> {
  keys: K;
  meta: ChangeMeta;
  /** The record exactly as received, for dead-lettering and replay. */
  raw: DynamoDBStreamRecord;
}

export type InsertEvent<
  T = Item,
  V extends StreamViewType = StreamViewType,
  K = Item,
> = ChangeBase<K> & {
  kind: "insert";
} & NewImageOf<T, V> & { oldImage?: undefined };

export type ModifyEvent<
  T = Item,
  V extends StreamViewType = StreamViewType,
  K = Item,
> = ChangeBase<K> & {
  kind: "modify";
} & NewImageOf<T, V> &
  OldImageOf<T, V>;

export type RemoveEvent<
  T = Item,
  V extends StreamViewType = StreamViewType,
  K = Item,
> = ChangeBase<K> & {
  kind: "remove";
  /** `ttl` when DynamoDB's TTL process deleted the item. */
  cause: "ttl" | "user";
} & OldImageOf<T, V> & { newImage?: undefined };

/**
 * A decoded change. `V` is the stream's view type: with `NEW_AND_OLD_IMAGES` a modify has both
 * images typed as present; with `KEYS_ONLY` neither exists. Without `V`, images are optional.
 */
export type ChangeEvent<T = Item, V extends StreamViewType = StreamViewType, K = Item> =
  | InsertEvent<T, V, K>
  | ModifyEvent<T, V, K>
  | RemoveEvent<T, V, K>;
