/**
 * DynamoDB Local 3.x writes a TTL deletion to the stream with eventName
 * "UNKNOWN_TO_SDK_VERSION" (its Java SDK's name for an enum value it cannot map) and without
 * userIdentity. AWS delivers the same change as a REMOVE by the DynamoDB service.
 */
export const LOCAL_TTL_EVENT_NAME = "UNKNOWN_TO_SDK_VERSION";

/** The userIdentity AWS puts on a record that TTL deleted, as Lambda events spell it. */
export const TTL_USER_IDENTITY = {
  type: "Service",
  principalId: "dynamodb.amazonaws.com",
} as const;

/** The same identity as the GetRecords API (and the SDK's `_Record`) spells it. */
export const TTL_GET_RECORDS_IDENTITY = {
  Type: "Service",
  PrincipalId: "dynamodb.amazonaws.com",
} as const;

/** Both the SDK's GetRecords records and Lambda's event records have this shape. */
interface StreamRecordLike {
  eventName?: string;
  userIdentity?: unknown;
  /** Present on Lambda event records only. */
  eventSourceARN?: string;
}

export function isLocalTtlRecord(record: StreamRecordLike): boolean {
  return (record.eventName as string | undefined) === LOCAL_TTL_EVENT_NAME;
}

/**
 * Turns DynamoDB Local's TTL record into the REMOVE record AWS delivers; returns every other
 * record unchanged (the same object). A record with `eventSourceARN` is a Lambda event record
 * and gets Lambda's `{ type, principalId }`; any other is a GetRecords record and gets
 * `{ Type, PrincipalId }`.
 */
export function normalizeLocalStreamRecord<T extends StreamRecordLike>(record: T): T {
  if (!isLocalTtlRecord(record)) return record;
  const identity = "eventSourceARN" in record ? TTL_USER_IDENTITY : TTL_GET_RECORDS_IDENTITY;
  return { ...record, eventName: "REMOVE", userIdentity: { ...identity } };
}
