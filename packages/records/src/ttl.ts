import type { DecodeOptions, DynamoDBStreamRecord } from "./types.js";

/** The identity DynamoDB puts on deletions made by its TTL process. */
export function isTtlIdentity(identity: DynamoDBStreamRecord["userIdentity"]): boolean {
  if (typeof identity !== "object" || identity === null) return false;
  const type = identity.type ?? identity.Type;
  const principalId = identity.principalId ?? identity.PrincipalId;
  return type === "Service" && principalId === "dynamodb.amazonaws.com";
}

/**
 * Why an item was removed. The service identity is authoritative; without it (a global table
 * replica sees TTL deletes as plain removes), an expired TTL attribute in the old image counts.
 */
export function removeCause(record: DynamoDBStreamRecord, options: DecodeOptions): "ttl" | "user" {
  if (isTtlIdentity(record.userIdentity)) return "ttl";
  const attribute = options.ttlAttribute;
  if (attribute === undefined) return "user";
  const ttl = record.dynamodb?.OldImage?.[attribute];
  if (ttl === undefined || !("N" in ttl)) return "user";
  const expiresAtSeconds = Number(ttl.N);
  const nowMs = options.now === undefined ? Date.now() : options.now();
  return Number.isFinite(expiresAtSeconds) && expiresAtSeconds * 1000 <= nowMs ? "ttl" : "user";
}
