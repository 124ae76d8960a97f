import { isDecimal } from "@sluice/records";

export type BucketUnit = "hour" | "day" | "month";

/**
 * Time buckets, in UTC. From a date attribute of the item (ISO 8601 text, or epoch seconds or
 * milliseconds), or from the time of the change (`changeTime: true`): then a bucket holds the net
 * change of the aggregate during that period, since a change takes the old contribution back in
 * the bucket of the change, not in the one it was added to.
 */
export type BucketOption =
  | { attribute: string; unit: BucketUnit; changeTime?: undefined }
  | { changeTime: true; unit: BucketUnit; attribute?: undefined };

const units: readonly BucketUnit[] = ["hour", "day", "month"];

export function checkBucket(bucket: BucketOption): void {
  if (!units.includes(bucket.unit)) {
    throw new Error(`bucket.unit must be one of ${units.join(", ")}, not "${bucket.unit}".`);
  }
  if (!bucket.changeTime && !bucket.attribute) {
    throw new Error("bucket needs `attribute` (a date of the item) or `changeTime: true`.");
  }
}

const two = (n: number) => String(n).padStart(2, "0");

/** The bucket's label: `2026-11-21T10` (hour), `2026-11-21` (day), `2026-11` (month). */
export function bucketLabel(date: Date, unit: BucketUnit): string {
  const month = `${String(date.getUTCFullYear()).padStart(4, "0")}-${two(date.getUTCMonth() + 1)}`;
  if (unit === "month") return month;
  const day = `${month}-${two(date.getUTCDate())}`;
  return unit === "day" ? day : `${day}T${two(date.getUTCHours())}`;
}

// Date, optional time (minutes, seconds and fractions optional), optional offset.
const iso =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Epoch values above this are milliseconds: as seconds they would be past the year 5000. */
const millisecondsAbove = 1e11;

/**
 * The instant a date attribute names, or undefined when it does not parse. ISO text without an
 * offset is read as UTC; a date without a time is that day.
 */
export function dateOf(value: unknown): Date | undefined {
  if (typeof value === "string") return parseIso(value);
  let epoch: number | undefined;
  if (typeof value === "number") epoch = value;
  else if (typeof value === "bigint") epoch = Number(value);
  else if (isDecimal(value)) epoch = Number(value.value);
  if (epoch === undefined || !Number.isFinite(epoch)) return undefined;
  const date = new Date(Math.abs(epoch) > millisecondsAbove ? epoch : epoch * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function parseIso(text: string): Date | undefined {
  const match = iso.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", offset] = match;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const utc = Date.UTC(year, month, day, hour, minute, Number(s));
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March: such a date does not exist.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute
  ) {
    return undefined;
  }
  return new Date(utc - offsetMinutes(offset) * 60_000);
}

function offsetMinutes(offset: string | undefined): number {
  if (!offset || offset === "Z" || offset === "z") return 0;
  const digits = offset.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
  return offset.startsWith("-") ? -minutes : minutes;
}
