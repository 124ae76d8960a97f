import { NumberValueImpl as NumberValue, unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttributeValue,
  bytesToBase64,
  canonicalNumber,
  decodeAttribute,
  decodeImage,
  isDecimal,
} from "../src/index.js";
import { attributeValue, dynamoNumber, image } from "./arbitraries.js";

/**
 * Brings both decoders' outputs to one comparable form: numbers as canonical digits, binary as
 * base64 (util-dynamodb leaves it as the base64 it was given), sets as sorted arrays.
 */
function comparable(value: unknown): unknown {
  if (value instanceof NumberValue) return { n: canonicalNumber(value.value) };
  if (typeof value === "number") return { n: canonicalNumber(String(value)) };
  if (typeof value === "bigint") return { n: value.toString() };
  if (isDecimal(value)) return { n: value.value };
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (value instanceof Set) {
    return {
      set: [...value]
        .map(comparable)
        .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
    };
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) out[key] = comparable(member);
    return out;
  }
  return value;
}

const lossless = { wrapNumbers: true } as const;
const reference = (av: AttributeValue) =>
  unmarshall(av as never, { ...lossless, convertWithoutMapWrapper: true });

describe("differential against @aws-sdk/util-dynamodb (wrapNumbers: true)", () => {
  it("decodes any AttributeValue tree to the same values, losing no digit", () => {
    fc.assert(
      fc.property(attributeValue, (av) => {
        expect(comparable(decodeAttribute(av))).toEqual(comparable(reference(av)));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes whole images the same way", () => {
    fc.assert(
      fc.property(image, (map) => {
        expect(comparable(decodeImage(map))).toEqual(
          comparable(unmarshall(map as never, lossless)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("gives a JS number only when it holds the exact value", () => {
    fc.assert(
      fc.property(dynamoNumber, (text) => {
        const value = decodeAttribute({ N: text });
        const digits = canonicalNumber(text);
        if (typeof value === "number") {
          expect(canonicalNumber(String(value))).toBe(digits);
          if (Number.isInteger(value)) expect(Number.isSafeInteger(value)).toBe(true);
        } else if (typeof value === "bigint") {
          expect(value.toString()).toBe(digits);
          expect(Number.isSafeInteger(Number(value))).toBe(false);
        } else {
          expect(isDecimal(value) && value.value).toBe(digits);
          expect(canonicalNumber(String(Number(text)))).not.toBe(digits);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("number mode gives exactly the double Number() parses", () => {
    fc.assert(
      fc.property(dynamoNumber, (text) => {
        expect(decodeAttribute({ N: text }, { numbers: "number" })).toBe(Number(text) || 0);
      }),
      { numRuns: 5000 },
    );
  });

  it("string mode returns the text util-dynamodb wraps", () => {
    fc.assert(
      fc.property(dynamoNumber, (text) => {
        const wrapped = reference({ N: text }) as NumberValue;
        expect(decodeAttribute({ N: text }, { numbers: "string" })).toBe(wrapped.value);
      }),
    );
  });
});
