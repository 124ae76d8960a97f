import type { ChangeEvent } from "@sluice/records";
import { type BucketOption, bucketLabel, checkBucket, dateOf } from "./bucket.js";
import { AggregateInputError } from "./errors.js";
import { add, type Exact, exactOf, negate, one, toText } from "./exact.js";
import type { Measures } from "./measures.js";
import {
  checkName,
  isPartName,
  noBucket,
  partAttribute,
  partitionOf,
  shardOf,
  valueAttribute,
} from "./table.js";

/** What decides an item's contribution: the processor's options without the I/O. */
export interface AggregateDefinition<T> {
  name: string;
  /** The aggregate an item belongs to; undefined leaves the item out. */
  key: (item: T) => string | undefined;
  where?: (item: T) => boolean;
  bucket?: BucketOption;
  measures: Measures<T>;
  /** Aggregate items per key and bucket; default 1. */
  shards?: number;
}

/** One aggregate item (key, shard, bucket) and the amounts to ADD to its attributes. */
export interface Cell {
  pk: string;
  sk: string;
  terms: Map<string, Exact>;
}

/** Cells by `pk` and `sk`, in the order they were first touched. */
export type Delta = Map<string, Cell>;

type Image = "oldImage" | "newImage";

/** Checks names and options once, where a mistake is a configuration error, not bad data. */
export function checkDefinition<T>(definition: AggregateDefinition<T>): void {
  if (!/^[A-Za-z0-9_.-]+$/.test(definition.name)) {
    throw new Error(
      `The aggregate's name "${definition.name}" begins its keys in the table: use letters, digits, _, . and -.`,
    );
  }
  const shards = definition.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1) {
    throw new Error(`shards must be a whole number of at least 1, not ${shards}.`);
  }
  if (definition.bucket) checkBucket(definition.bucket);
  const entries = Object.entries(definition.measures);
  if (entries.length === 0) throw new Error("Declare at least one measure.");
  for (const [name, measure] of entries) {
    checkName("Measure", name);
    if (measure.kind === "min" || measure.kind === "max") checkName("Attribute", measure.attribute);
  }
}

/** The source item's identity: its key attributes as stable text, as the stream sends them. */
export function itemIdOf(event: ChangeEvent<unknown>): string {
  const keys = event.raw.dynamodb?.Keys ?? {};
  return JSON.stringify(
    Object.keys(keys)
      .sort()
      .map((name) => [name, keys[name]]),
  );
}

/**
 * What the change does to the aggregates: the new image's contribution added, the old image's
 * taken back. An item that moves between keys or buckets, or in or out of `where`, moves its
 * contribution. Throws `AggregateInputError` for values it cannot count.
 */
export function deltaOf<T>(
  event: ChangeEvent<T>,
  definition: AggregateDefinition<T>,
  itemId: string,
): Delta {
  const delta: Delta = new Map();
  const needs: Image[] =
    event.kind === "insert"
      ? ["newImage"]
      : event.kind === "remove"
        ? ["oldImage"]
        : ["oldImage", "newImage"];
  for (const image of needs) {
    const item = event[image];
    if (item === undefined) {
      throw new AggregateInputError(
        "MISSING_IMAGE",
        `a ${event.kind} needs its ${image}: give the table's stream the view type NEW_AND_OLD_IMAGES`,
        event,
      );
    }
    contribute(delta, item as T, image, event, definition, itemId);
  }
  return delta;
}

function contribute<T>(
  delta: Delta,
  item: T,
  image: Image,
  event: ChangeEvent<T>,
  definition: AggregateDefinition<T>,
  itemId: string,
): void {
  if (definition.where && !definition.where(item)) return;
  const key = definition.key(item);
  if (key === undefined) return;
  if (typeof key !== "string" || key === "") {
    throw new AggregateInputError(
      "INVALID_KEY",
      `key() returned ${describe(key)}; return a non-empty string, or undefined to leave the item out`,
      event,
      image,
    );
  }
  const shards = definition.shards ?? 1;
  const pk = partitionOf(definition.name, key, shardOf(itemId, shards));
  const sk = bucketOf(item, image, event, definition.bucket);
  const sign = image === "newImage" ? (x: Exact) => x : negate;
  let cell = delta.get(`${pk}\n${sk}`);
  if (!cell) {
    cell = { pk, sk, terms: new Map() };
    delta.set(`${pk}\n${sk}`, cell);
  }
  const terms = cell.terms;
  const put = (attribute: string, amount: Exact) => {
    const before = terms.get(attribute);
    const signed = sign(amount);
    terms.set(attribute, before ? add(before, signed) : signed);
  };
  const fields = item as Record<string, unknown>;
  const number = (what: string, value: unknown): Exact => {
    const exact = exactOf(value);
    if (!exact) {
      throw new AggregateInputError(
        "INVALID_MEASURE_VALUE",
        `${what} is ${describe(value)}, not a number DynamoDB can store`,
        event,
        image,
      );
    }
    return exact;
  };
  const extremes = new Set<string>();
  for (const [name, measure] of Object.entries(definition.measures)) {
    switch (measure.kind) {
      case "count":
        put(name, one);
        break;
      case "sum": {
        const value = typeof measure.of === "string" ? fields[measure.of] : measure.of(item);
        const what = typeof measure.of === "string" ? measure.of : `sum "${name}"`;
        if (value !== undefined && value !== null) put(name, number(what, value));
        break;
      }
      case "min":
      case "max": {
        // min and max over one attribute share its counts of values.
        if (extremes.has(measure.attribute)) break;
        extremes.add(measure.attribute);
        const value = fields[measure.attribute];
        if (value === undefined || value === null) break;
        put(valueAttribute(measure.attribute, toText(number(measure.attribute, value))), one);
        break;
      }
      case "custom": {
        const parts = measure.contribute(item);
        for (const [part, value] of Object.entries(parts ?? {})) {
          if (!isPartName(part)) {
            throw new AggregateInputError(
              "INVALID_MEASURE_VALUE",
              `custom measure "${name}" returned the part name ${describe(part)}; use letters, digits, _ and -`,
              event,
              image,
            );
          }
          if (value !== undefined && value !== null) {
            put(partAttribute(name, part), number(`part "${part}" of "${name}"`, value));
          }
        }
        break;
      }
    }
  }
}

function bucketOf<T>(
  item: T,
  image: Image,
  event: ChangeEvent<T>,
  bucket: BucketOption | undefined,
): string {
  if (!bucket) return noBucket;
  if (bucket.changeTime) {
    const time = event.meta.approximateCreationTime;
    if (!time) {
      throw new AggregateInputError(
        "INVALID_BUCKET_DATE",
        "the change has no ApproximateCreationDateTime to bucket it by",
        event,
      );
    }
    return bucketLabel(time, bucket.unit);
  }
  const value = (item as Record<string, unknown>)[bucket.attribute];
  const date = dateOf(value);
  if (!date) {
    throw new AggregateInputError(
      "INVALID_BUCKET_DATE",
      `${bucket.attribute} is ${describe(value)}, not an ISO 8601 date or an epoch time`,
      event,
      image,
    );
  }
  return bucketLabel(date, bucket.unit);
}

/** A value as an error message shows it: short, bigint and Decimal included. */
function describe(value: unknown): string {
  if (value === undefined) return "absent";
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
  } catch {
    text = String(value);
  }
  text ??= String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
