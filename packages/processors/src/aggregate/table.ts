import { createHash } from "node:crypto";
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/**
 * The aggregates table: one item per aggregate, shard and bucket.
 *
 * | attribute       | holds                                                                   |
 * | --------------- | ----------------------------------------------------------------------- |
 * | `pk`            | `<name>#<key>` (shard 0), `<name>:<shard>#<key>` (shards 1 and up)      |
 * | `sk`            | the bucket (`2026-11-21`, `2026-11-21T10`, `2026-11`) or `all`          |
 * | `<measure>`     | a count or a sum                                                        |
 * | `<measure>.<p>` | part `p` of a custom measure                                            |
 * | `<attr>=<v>`    | for min and max over `attr`: how many items hold the value `v`          |
 *
 * Buckets sort as text in time order, so a range of buckets is one Query per shard.
 */
export const partitionKey = "pk";
export const sortKey = "sk";

/** The sort key of aggregates without time buckets. */
export const noBucket = "all";

/** The CreateTable request for an aggregates table (on demand; any name). */
export function aggregateTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: "S" },
      { AttributeName: sortKey, AttributeType: "S" },
    ],
    KeySchema: [
      { AttributeName: partitionKey, KeyType: "HASH" },
      { AttributeName: sortKey, KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
  };
}

/** Names of measures, parts and min/max attributes: they become attribute names. */
const namePattern = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const partPattern = /^[A-Za-z0-9_-]+$/;

export function checkName(what: string, name: string): void {
  if (!namePattern.test(name) || name === partitionKey || name === sortKey) {
    throw new Error(
      `${what} "${name}" cannot name an attribute of the aggregates table: use letters, digits, _ and - (starting with a letter or _), and not "${partitionKey}" or "${sortKey}".`,
    );
  }
}

export const isPartName = (part: string): boolean => partPattern.test(part);

export const partAttribute = (measure: string, part: string): string => `${measure}.${part}`;

export const valueAttribute = (attribute: string, valueText: string): string =>
  `${attribute}=${valueText}`;

/**
 * The partition key of an aggregate's shard. Shard 0 has the unsharded form, so raising `shards`
 * keeps what was written before; the name (no `:` or `#`) ends at the first `#`, so no key,
 * whatever it contains, can meet another key's shard.
 */
export function partitionOf(name: string, key: string, shard: number): string {
  return shard === 0 ? `${name}#${key}` : `${name}:${shard}#${key}`;
}

/**
 * The shard of a source item, from its key: an item's contribution always lands on the same
 * shard, so a change takes it back from where it was added.
 */
export function shardOf(itemId: string, shards: number): number {
  if (shards <= 1) return 0;
  return createHash("sha256").update(itemId).digest().readUInt32BE(0) % shards;
}
