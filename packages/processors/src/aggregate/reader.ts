import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { type BucketUnit, bucketLabel } from "./bucket.js";
import {
  add,
  compare,
  type Exact,
  type ExactNumber,
  exactOfText,
  toNumber,
  zero,
} from "./exact.js";
import type { Measures, MeasureValues } from "./measures.js";
import {
  noBucket,
  partAttribute,
  partitionKey,
  partitionOf,
  sortKey,
  valueAttribute,
} from "./table.js";

export interface AggregateReaderOptions<M extends Measures> {
  client: DynamoDBClient;
  table: string;
  name: string;
  measures: M;
  /** As the processor writes them; after changing `shards`, read with the largest value used. */
  shards?: number;
  /** Lets `get` and `range` take Dates as well as bucket labels. */
  bucket?: { unit: BucketUnit };
  /** Strongly consistent reads; default false (eventually consistent, half the read units). */
  consistentRead?: boolean;
}

export interface AggregateReader<M extends Measures> {
  /** The measures of one key and bucket, all shards summed; undefined if nothing was ever added. */
  get(key: string, bucket?: string | Date): Promise<MeasureValues<M> | undefined>;
  /** Buckets from `from` to `to` inclusive, in order, each with its measures; empty ones left out. */
  range(
    key: string,
    from: string | Date,
    to: string | Date,
  ): Promise<{ bucket: string; values: MeasureValues<M> }[]>;
}

type StoredItem = Record<string, AttributeValue>;

/** BatchGetItem reads at most 100 keys. */
const maxBatchGetKeys = 100;

/** Reads what `aggregate` writes: pass it the same options (name, table, measures, shards, bucket). */
export function aggregateReader<M extends Measures>(
  options: AggregateReaderOptions<M>,
): AggregateReader<M> {
  const shards = options.shards ?? 1;
  const partitions = (key: string) =>
    Array.from({ length: shards }, (_, shard) => partitionOf(options.name, key, shard));
  const label = (bucket: string | Date | undefined): string => {
    if (bucket === undefined) return noBucket;
    if (typeof bucket === "string") return bucket;
    if (!options.bucket) {
      throw new Error("Pass `bucket: { unit }` to aggregateReader to read buckets by Date.");
    }
    return bucketLabel(bucket, options.bucket.unit);
  };

  return {
    async get(key, bucket) {
      const sk = label(bucket);
      const items = await batchGet(
        options,
        partitions(key).map((pk) => ({ [partitionKey]: { S: pk }, [sortKey]: { S: sk } })),
      );
      return items.length === 0 ? undefined : valuesOf(items, options.measures);
    },

    async range(key, from, to) {
      const perShard = await Promise.all(
        partitions(key).map((pk) => queryRange(options, pk, label(from), label(to))),
      );
      const byBucket = new Map<string, StoredItem[]>();
      for (const item of perShard.flat()) {
        const sk = item[sortKey]?.S ?? "";
        byBucket.set(sk, [...(byBucket.get(sk) ?? []), item]);
      }
      return [...byBucket.keys()]
        .sort()
        .map((sk) => ({ bucket: sk, values: valuesOf(byBucket.get(sk)!, options.measures) }));
    },
  };
}

async function batchGet(
  options: AggregateReaderOptions<Measures>,
  keys: StoredItem[],
): Promise<StoredItem[]> {
  const found: StoredItem[] = [];
  for (let start = 0; start < keys.length; start += maxBatchGetKeys) {
    let pending: StoredItem[] | undefined = keys.slice(start, start + maxBatchGetKeys);
    // DynamoDB may leave keys unprocessed under load: ask again for those, backing off.
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
      if (round === 6) throw new Error("BatchGetItem kept keys unprocessed; read again later.");
      const result: BatchGetItemCommandOutput = await options.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [options.table]: { Keys: pending, ConsistentRead: options.consistentRead ?? false },
          },
        }),
      );
      found.push(...(result.Responses?.[options.table] ?? []));
      pending = result.UnprocessedKeys?.[options.table]?.Keys;
    }
  }
  return found;
}

async function queryRange(
  options: AggregateReaderOptions<Measures>,
  pk: string,
  from: string,
  to: string,
): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let startKey: StoredItem | undefined;
  do {
    const page = await options.client.send(
      new QueryCommand({
        TableName: options.table,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey },
        ExpressionAttributeValues: { ":pk": { S: pk }, ":from": { S: from }, ":to": { S: to } },
        ConsistentRead: options.consistentRead ?? false,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The measures of one bucket from its shards' items: amounts summed, then each measure read. */
export function valuesOf<M extends Measures>(items: StoredItem[], measures: M): MeasureValues<M> {
  const totals = new Map<string, Exact>();
  for (const item of items) {
    for (const [attribute, value] of Object.entries(item)) {
      if (value.N === undefined) continue;
      const before = totals.get(attribute);
      const amount = exactOfText(value.N);
      totals.set(attribute, before ? add(before, amount) : amount);
    }
  }
  const values: Record<string, unknown> = {};
  for (const [name, measure] of Object.entries(measures)) {
    switch (measure.kind) {
      case "count":
      case "sum":
        values[name] = toNumber(totals.get(name) ?? zero);
        break;
      case "min":
      case "max":
        values[name] = extreme(totals, measure.attribute, measure.kind);
        break;
      case "custom": {
        const prefix = partAttribute(name, "");
        const parts: Record<string, ExactNumber> = {};
        for (const [attribute, total] of totals) {
          if (attribute.startsWith(prefix)) parts[attribute.slice(prefix.length)] = toNumber(total);
        }
        values[name] = measure.finish(parts);
        break;
      }
    }
  }
  return values as MeasureValues<M>;
}

/** The smallest or largest value that at least one item still holds. */
function extreme(
  totals: Map<string, Exact>,
  attribute: string,
  kind: "min" | "max",
): ExactNumber | undefined {
  const prefix = valueAttribute(attribute, "");
  let best: Exact | undefined;
  for (const [name, holders] of totals) {
    if (!name.startsWith(prefix) || holders.units <= 0n) continue;
    const value = exactOfText(name.slice(prefix.length));
    if (!best || (kind === "min" ? compare(value, best) < 0 : compare(value, best) > 0)) {
      best = value;
    }
  }
  return best && toNumber(best);
}
