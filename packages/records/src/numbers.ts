import { SluiceDecodeError } from "./errors.js";
import type { Decimal, NumberMode } from "./types.js";

/** DynamoDB keeps at most 38 significant digits. */
const MAX_SIGNIFICANT_DIGITS = 38;
/** Smallest and largest decimal exponent of a non-zero DynamoDB number's leading digit. */
const MIN_LEADING_EXPONENT = -130;
const MAX_LEADING_EXPONENT = 125;

/**
 * What the scanner measured in the number it last read. It reports through this one object so
 * decoding a number allocates nothing; decoding is synchronous, so no two callers share it.
 */
const scanned = {
  significantDigits: 0,
  /** Decimal exponent of the leading significant digit (0 for 1..9, -1 for 0.1..0.9). */
  leadingExponent: 0,
  isInteger: true,
  /**
   * The value as a double when the scanner could compute it exactly rounded, else NaN. With at
   * most 15 digits the digits form an exact integer, and one multiply or divide by an exact power
   * of ten (up to 1e22) rounds once, so the result equals Number(text) without parsing again.
   */
  fastValue: 0.5,
};

const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Any decimal of up to 15 significant digits survives a trip through a double. */
const DIGITS_ALWAYS_EXACT = 15;
/** A double never needs more than 17 digits, so a number with more cannot round-trip. */
const DIGITS_MAX_DOUBLE = 17;

const CODE_0 = 48;
const CODE_9 = 57;

/**
 * Checks the syntax of a DynamoDB number and measures it. Returns false when `text` is not a number
 * at all; range and precision are checked by the caller.
 */
function scan(text: string): boolean {
  const length = text.length;
  let i = 0;
  let code = text.charCodeAt(0);
  if (code === 45 /* - */ || code === 43 /* + */) i++;
  // Digits are indexed across the integer and fraction parts together.
  let digitIndex = 0;
  let integerDigits = 0;
  let first = -1;
  let last = -1;
  let sawPoint = false;
  const negativeNumber = code === 45;
  let digitsValue = 0;
  for (; i < length; i++) {
    code = text.charCodeAt(i);
    if (code >= CODE_0 && code <= CODE_9) {
      if (code !== CODE_0) {
        if (first < 0) first = digitIndex;
        last = digitIndex;
      }
      digitsValue = digitsValue * 10 + (code - CODE_0);
      digitIndex++;
      if (!sawPoint) integerDigits++;
    } else if (code === 46 /* . */ && !sawPoint) {
      sawPoint = true;
    } else {
      break;
    }
  }
  if (digitIndex === 0) return false;
  let exponent = 0;
  if (i < length) {
    if (code !== 101 /* e */ && code !== 69 /* E */) return false;
    i++;
    let negative = false;
    code = text.charCodeAt(i);
    if (code === 45 || code === 43) {
      negative = code === 45;
      i++;
    }
    if (i >= length) return false;
    for (; i < length; i++) {
      code = text.charCodeAt(i);
      if (code < CODE_0 || code > CODE_9) return false;
      // Cap so a silly exponent cannot overflow; anything this large is out of range anyway.
      if (exponent < 100_000) exponent = exponent * 10 + (code - CODE_0);
    }
    if (negative) exponent = -exponent;
  }
  if (first < 0) {
    scanned.significantDigits = 0;
    scanned.leadingExponent = 0;
    scanned.isInteger = true;
    scanned.fastValue = 0;
    return true;
  }
  scanned.significantDigits = last - first + 1;
  scanned.leadingExponent = integerDigits - 1 - first + exponent;
  scanned.isInteger = integerDigits - 1 - last + exponent >= 0;
  let fastValue = Number.NaN;
  if (digitIndex - first <= DIGITS_ALWAYS_EXACT) {
    const scale = exponent - (digitIndex - integerDigits);
    if (scale >= 0 && scale <= 22) fastValue = digitsValue * (EXACT_POWERS_OF_TEN[scale] as number);
    else if (scale < 0 && scale >= -22)
      fastValue = digitsValue / (EXACT_POWERS_OF_TEN[-scale] as number);
    if (negativeNumber) fastValue = -fastValue;
  }
  scanned.fastValue = fastValue;
  return true;
}

function invalid(text: unknown, why: string): SluiceDecodeError {
  return new SluiceDecodeError(
    "INVALID_NUMBER",
    `${JSON.stringify(text)} is not a valid DynamoDB number: ${why}`,
  );
}

/** Validates `text` as a DynamoDB number and leaves its measures in the scanner's variables. */
function validate(text: unknown): asserts text is string {
  if (typeof text !== "string") throw invalid(text, "N must be a string of digits");
  if (!scan(text)) throw invalid(text, "expected digits with an optional sign, point and exponent");
  if (scanned.significantDigits > MAX_SIGNIFICANT_DIGITS) {
    throw invalid(text, `more than ${MAX_SIGNIFICANT_DIGITS} significant digits`);
  }
  if (
    scanned.significantDigits > 0 &&
    (scanned.leadingExponent < MIN_LEADING_EXPONENT ||
      scanned.leadingExponent > MAX_LEADING_EXPONENT)
  ) {
    throw invalid(text, "magnitude outside 1E-130 to 9.99E+125");
  }
}

/**
 * Splits a valid number into sign, significant digits and the exponent of the last digit, so
 * `value = sign * digits * 10^exponent`. Zero is `{ negative: false, digits: "0", exponent: 0 }`.
 */
function parts(text: string): { negative: boolean; digits: string; exponent: number } {
  let mantissa = text;
  let exponent = 0;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    mantissa = text.slice(0, e);
    exponent = Number(text.slice(e + 1));
  }
  const negative = mantissa.startsWith("-");
  if (negative || mantissa.startsWith("+")) mantissa = mantissa.slice(1);
  const point = mantissa.indexOf(".");
  if (point >= 0) {
    exponent -= mantissa.length - point - 1;
    mantissa = mantissa.slice(0, point) + mantissa.slice(point + 1);
  }
  let start = 0;
  while (start < mantissa.length - 1 && mantissa.charCodeAt(start) === CODE_0) start++;
  let end = mantissa.length;
  while (end > start + 1 && mantissa.charCodeAt(end - 1) === CODE_0) {
    end--;
    exponent++;
  }
  const digits = mantissa.slice(start, end);
  if (digits === "0") return { negative: false, digits, exponent: 0 };
  return { negative, digits, exponent };
}

/**
 * The canonical plain-notation text of a number: no exponent, no leading or trailing zeros, no `+`,
 * and `0` for zero. Two numbers are equal exactly when their canonical texts are equal.
 */
export function canonicalNumber(text: string): string {
  const { negative, digits, exponent } = parts(text);
  let plain: string;
  if (exponent >= 0) {
    plain = digits === "0" ? "0" : digits + "0".repeat(exponent);
  } else {
    const point = digits.length + exponent;
    plain =
      point > 0
        ? `${digits.slice(0, point)}.${digits.slice(point)}`
        : `0.${"0".repeat(-point)}${digits}`;
  }
  return negative ? `-${plain}` : plain;
}

/**
 * Marks the decimals this package makes, so an item's own map that happens to hold
 * `{ kind: "decimal", value: "…" }` is never mistaken for one. Not enumerable: equality and JSON
 * see only `kind` and `value`.
 */
const decimalBrand = Symbol.for("sluice.decimal");

/** An exact decimal. `value` is any DynamoDB number text; it is stored in canonical plain notation. */
export function decimal(value: string): Decimal {
  validate(value);
  return branded(canonicalNumber(value));
}

function branded(canonical: string): Decimal {
  const made = { kind: "decimal" as const, value: canonical };
  Object.defineProperty(made, decimalBrand, { value: true });
  return made;
}

export function isDecimal(value: unknown): value is Decimal {
  return typeof value === "object" && value !== null && decimalBrand in value;
}

function toBigInt(text: string): bigint {
  return BigInt(canonicalNumber(text));
}

/** The double nearest to the number just scanned. */
function toDouble(text: string): number {
  return Number.isNaN(scanned.fastValue) ? Number(text) : scanned.fastValue;
}

function decodeAuto(text: string): number | bigint | Decimal {
  if (scanned.significantDigits === 0) return 0;
  if (scanned.isInteger) {
    // Below 1e15 every integer is a safe integer; above, check. Integers beyond
    // MAX_SAFE_INTEGER stay bigint even when a double could hold them, so arithmetic stays exact.
    if (scanned.leadingExponent < DIGITS_ALWAYS_EXACT) return toDouble(text);
    if (scanned.leadingExponent < 16) {
      const value = Number(text);
      if (Number.isSafeInteger(value)) return value;
    }
    return toBigInt(text);
  }
  if (scanned.significantDigits <= DIGITS_ALWAYS_EXACT) return toDouble(text);
  if (scanned.significantDigits <= DIGITS_MAX_DOUBLE) {
    const value = Number(text);
    const shortest = String(value);
    // Text written by JavaScript is already the shortest form; otherwise compare canonical forms.
    if (shortest === text || canonicalNumber(shortest) === canonicalNumber(text)) return value;
  }
  return branded(canonicalNumber(text));
}

/** Decodes the text of an `N` attribute in the given mode. Throws INVALID_NUMBER (without a path). */
/**
 * The common case in one pass: up to 15 digits with an optional sign and point, no exponent. Such
 * a number is valid, in range, and exact as a double (digits / 10^fraction rounds once). Returns
 * undefined for anything else, which takes the general path.
 */
function decodeShortNumber(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > DIGITS_ALWAYS_EXACT + 2) return undefined;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === length) return undefined;
  let digits = 0;
  let value = 0;
  let point = -1;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= CODE_0 && code <= CODE_9) {
      value = value * 10 + (code - CODE_0);
      digits++;
    } else if (code === 46 /* . */ && point < 0) {
      point = i;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || digits > DIGITS_ALWAYS_EXACT) return undefined;
  // A fraction must have digits on both sides of the point, as DynamoDB writes it.
  if (point >= 0) {
    if (point === length - 1 || point === 0 || (point === 1 && text.charCodeAt(0) === 45)) {
      return undefined;
    }
    value /= EXACT_POWERS_OF_TEN[length - 1 - point] as number;
  }
  if (value === 0) return 0;
  return text.charCodeAt(0) === 45 ? -value : value;
}

export function decodeNumber(text: unknown, mode: NumberMode): number | bigint | string | Decimal {
  if (mode === "auto" && typeof text === "string") {
    const short = decodeShortNumber(text);
    if (short !== undefined) return short;
  }
  validate(text);
  switch (mode) {
    case "auto":
      return decodeAuto(text);
    case "number":
      return scanned.significantDigits === 0 ? 0 : toDouble(text);
    case "bigint":
      if (scanned.isInteger) return toBigInt(text);
      return branded(canonicalNumber(text));
    case "string":
      return text;
    default:
      throw new SluiceDecodeError(
        "INVALID_NUMBER",
        `Unknown number mode ${JSON.stringify(mode)}: use auto, number, bigint or string`,
      );
  }
}
