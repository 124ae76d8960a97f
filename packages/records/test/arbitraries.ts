import fc from "fast-check";
import { type AttributeValue, canonicalNumber } from "../src/index.js";

const nonZeroDigit = fc.constantFrom(..."123456789");
const digit = fc.constantFrom(..."0123456789");

/** Significant digits: 1 to 38, no leading zero. */
const significand = fc
  .tuple(nonZeroDigit, fc.array(digit, { maxLength: 37 }))
  .map(([head, tail]) => head + tail.join(""));

/**
 * Any valid DynamoDB number, spelled the ways a number may arrive: plain integers, fractions
 * (including tiny ones with negative exponents), exponent notation, leading and trailing zeros.
 */
export const dynamoNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("0", "-0", "0.0", "1", "-1", "9007199254740991", "9007199254740993"),
  fc
    .record({
      digits: significand,
      leadingExponent: fc.oneof(
        fc.integer({ min: -130, max: 125 }),
        fc.integer({ min: -20, max: 40 }),
      ),
      negative: fc.boolean(),
      style: fc.constantFrom("plain", "exponent", "padded"),
    })
    .map(({ digits, leadingExponent, negative, style }) => {
      const sign = negative ? "-" : "";
      const exponent = leadingExponent - (digits.length - 1);
      if (style === "exponent") {
        return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${leadingExponent}`;
      }
      let plain: string;
      if (exponent >= 0) plain = digits + "0".repeat(exponent);
      else if (leadingExponent >= 0) {
        plain = `${digits.slice(0, leadingExponent + 1)}.${digits.slice(leadingExponent + 1)}`;
      } else plain = `0.${"0".repeat(-leadingExponent - 1)}${digits}`;
      if (style === "padded") plain = `00${plain}${plain.includes(".") ? "00" : ""}`;
      return sign + plain;
    }),
);

const base64 = fc
  .uint8Array({ maxLength: 12 })
  .map((bytes) => Buffer.from(bytes).toString("base64"));

/** Attribute names, including the empty string and odd characters, but not __proto__. */
const name = fc.string({ maxLength: 8 }).filter((key) => key !== "__proto__");

/** AttributeValue trees of every type, nested, with empty strings, sets, maps and lists. */
export const attributeValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ av: AttributeValue }>(
  (tie) => ({
    av: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ S: fc.string({ maxLength: 10 }) }),
      fc.record({ N: dynamoNumber }),
      fc.record({ B: base64 }),
      fc.record({ BOOL: fc.boolean() }),
      fc.constant({ NULL: true as const }),
      fc.record({ SS: fc.uniqueArray(fc.string({ maxLength: 6 }), { maxLength: 4 }) }),
      // DynamoDB sets hold distinct values: "1" and "1.0" are one number.
      fc.record({ NS: fc.uniqueArray(dynamoNumber, { maxLength: 4, selector: canonicalNumber }) }),
      fc.record({ BS: fc.uniqueArray(base64, { maxLength: 3 }) }),
      fc.record({ L: fc.array(tie("av"), { maxLength: 4 }) }),
      fc.record({ M: fc.dictionary(name, tie("av"), { maxKeys: 4 }) }),
    ),
  }),
).av;

export const image = fc.dictionary(name, attributeValue, { maxKeys: 6 });
