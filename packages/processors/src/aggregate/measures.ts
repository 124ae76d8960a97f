import type { Item } from "@sluice/records";
import type { ExactNumber, NumberInput } from "./exact.js";

/**
 * A measure declares what one item contributes to its aggregate. Every contribution is a set of
 * numbers that DynamoDB's ADD can add and take back, so a change moves an item's contribution
 * exactly and any number of shards sum to the whole. `R` is what the reader returns for it.
 */
export type Measure<T = Item, R = unknown> =
  | CountMeasure<R>
  | SumMeasure<T, R>
  | ExtremeMeasure<R>
  | CustomMeasure<T, R>;

interface Result<R> {
  /** Carries the reader's type only; never set. */
  readonly result?: R;
}

export interface CountMeasure<R = number | bigint> extends Result<R> {
  readonly kind: "count";
}

export interface SumMeasure<T = Item, R = ExactNumber> extends Result<R> {
  readonly kind: "sum";
  readonly of: string | ((item: T) => NumberInput | null | undefined);
}

/** min and max keep how many items hold each value, so they stay exact when items leave. */
export interface ExtremeMeasure<R = ExactNumber | undefined> extends Result<R> {
  readonly kind: "min" | "max";
  readonly attribute: string;
}

export interface CustomMeasure<T = Item, R = unknown> extends Result<R> {
  readonly kind: "custom";
  /** The item's parts, e.g. `{ sum: item.total, n: 1 }`; undefined or an absent part adds nothing. */
  readonly contribute: (item: T) => Record<string, NumberInput | null | undefined> | undefined;
  /** The measure from the summed parts; a part no item contributed is absent. */
  readonly finish: (parts: Record<string, ExactNumber>) => R;
}

// biome-ignore lint/suspicious/noExplicitAny: measures of any item type
export type Measures<T = any> = Record<string, Measure<T>>;

/** What the reader returns for a set of measures. */
export type MeasureValues<M extends Measures> = {
  [K in keyof M]: M[K] extends Result<infer R> ? R : never;
};

/** How many items contributed. */
export const count = (): CountMeasure => ({ kind: "count" });

/**
 * The exact sum of an attribute (its decoded number) or of a function of the item. An absent or
 * null value adds nothing; anything else that is not a number fails the change. By attribute,
 * the measure fits any item type.
 */
export function sum(attribute: string): SumMeasure<unknown>;
export function sum<T = Item>(of: (item: T) => NumberInput | null | undefined): SumMeasure<T>;
export function sum<T>(of: string | ((item: T) => NumberInput | null | undefined)): SumMeasure<T> {
  return { kind: "sum", of };
}

/** The smallest value of a top-level number attribute among the items of the aggregate. */
export const min = (attribute: string): ExtremeMeasure => ({ kind: "min", attribute });

/** The largest value of a top-level number attribute among the items of the aggregate. */
export const max = (attribute: string): ExtremeMeasure => ({ kind: "max", attribute });

/**
 * A measure made of summed parts and a function over their totals, e.g. an average:
 * `custom({ contribute: (o) => ({ sum: o.total, n: 1 }), finish: ({ sum, n }) => ... })`.
 * Parts are added and taken back like sums, so anything computed from sums (averages,
 * variances from sums of squares, ratios) stays exact under changes and deletes.
 */
export const custom = <T = Item, R = unknown>(definition: {
  contribute: (item: T) => Record<string, NumberInput | null | undefined> | undefined;
  finish: (parts: Record<string, ExactNumber>) => R;
}): CustomMeasure<T, R> => ({ kind: "custom", ...definition });
