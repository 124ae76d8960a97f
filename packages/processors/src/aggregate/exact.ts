import { canonicalNumber, type Decimal, decimal, decodeNumber, isDecimal } from "@sluice/records";

/**
 * A number as DynamoDB keeps it, without rounding: `units / 10^scale`. Sums of a batch are added
 * here, so the delta sent with ADD is the exact decimal sum of what the images held.
 */
export interface Exact {
  readonly units: bigint;
  readonly scale: number;
}

/** What measures read from items: the decoder's lossless numbers. */
export type NumberInput = number | bigint | Decimal;

/** What the reader returns: a JS number when it holds the value exactly, else bigint or Decimal. */
export type ExactNumber = number | bigint | Decimal;

export const zero: Exact = { units: 0n, scale: 0 };
export const one: Exact = { units: 1n, scale: 0 };

/** From canonical plain text ("-12.5", "300"), as `canonicalNumber` writes it. */
function fromPlain(text: string): Exact {
  const point = text.indexOf(".");
  if (point < 0) return { units: BigInt(text), scale: 0 };
  return {
    units: BigInt(text.slice(0, point) + text.slice(point + 1)),
    scale: text.length - point - 1,
  };
}

/**
 * Reads a measure value, or returns undefined when it is not a number DynamoDB can store (a
 * string, NaN, more than 38 significant digits, out of range).
 */
export function exactOf(value: unknown): Exact | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
  } else if (typeof value === "bigint") {
    text = value.toString();
  } else if (isDecimal(value)) {
    text = value.value;
  } else {
    return undefined;
  }
  try {
    return fromPlain(decimal(text).value);
  } catch {
    return undefined;
  }
}

/** Reads the text of a stored N attribute. */
export const exactOfText = (text: string): Exact => fromPlain(canonicalNumber(text));

const scaled = (x: Exact, scale: number): bigint => x.units * 10n ** BigInt(scale - x.scale);

export function add(a: Exact, b: Exact): Exact {
  const scale = Math.max(a.scale, b.scale);
  return { units: scaled(a, scale) + scaled(b, scale), scale };
}

export const negate = (x: Exact): Exact => ({ units: -x.units, scale: x.scale });

export const isZero = (x: Exact): boolean => x.units === 0n;

export function compare(a: Exact, b: Exact): number {
  const scale = Math.max(a.scale, b.scale);
  const left = scaled(a, scale);
  const right = scaled(b, scale);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Canonical plain text: equal numbers give equal text, so it can name a value in an item. */
export function toText(x: Exact): string {
  if (x.scale === 0) return x.units.toString();
  const negative = x.units < 0n;
  const digits = (negative ? -x.units : x.units).toString().padStart(x.scale + 1, "0");
  const point = digits.length - x.scale;
  return canonicalNumber(`${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`);
}

/** Whether DynamoDB can store it: 38 significant digits, magnitude 1E-130 to 9.99E+125. */
export function fitsDynamoDB(x: Exact): boolean {
  try {
    decimal(toText(x));
    return true;
  } catch {
    return false;
  }
}

/** The reader's form: lossless, a JS number when that is exact. */
export const toNumber = (x: Exact): ExactNumber =>
  decodeNumber(toText(x), "auto") as number | bigint | Decimal;
