import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalNumber,
  decimal,
  decodeAttribute,
  decodeRecord,
  stringifyDecoded,
  toJsonLine,
} from "../src/index.js";
import { dynamoNumber } from "./arbitraries.js";
import { streamRecord } from "./helpers.js";

describe("stringifyDecoded", () => {
  it("writes bigint and Decimal as bare numbers with every digit", () => {
    expect(stringifyDecoded(12345678901234567890123456789012345678n)).toBe(
      "12345678901234567890123456789012345678",
    );
    expect(stringifyDecoded(decimal("1.0837462918374629183746291837462918374"))).toBe(
      "1.0837462918374629183746291837462918374",
    );
  });

  it("writes an item's own map shaped like a decimal as the map it is", () => {
    const decoded = decodeAttribute({
      M: { kind: { S: "decimal" }, value: { S: "12.50" } },
    });
    expect(stringifyDecoded(decoded)).toBe('{"kind":"decimal","value":"12.50"}');
  });

  it("adds no exponent to small or large JS numbers", () => {
    expect(stringifyDecoded(1e-7)).toBe("0.0000001");
    expect(stringifyDecoded(1e21)).toBe("1000000000000000000000");
    expect(stringifyDecoded(-2.5)).toBe("-2.5");
  });

  it("writes any DynamoDB number so that its digits come back unchanged", () => {
    fc.assert(
      fc.property(dynamoNumber, (text) => {
        const written = stringifyDecoded(decodeAttribute({ N: text }));
        expect(written).not.toMatch(/e/i);
        expect(canonicalNumber(written)).toBe(canonicalNumber(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes sets as arrays, binary as base64, Dates as ISO text", () => {
    expect(stringifyDecoded(new Set(["a", "b"]))).toBe('["a","b"]');
    expect(stringifyDecoded(new Set([1n, 2]))).toBe("[1,2]");
    expect(stringifyDecoded(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toBe('"3q2+7w=="');
    expect(stringifyDecoded(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
  });

  it("matches JSON.stringify on plain JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(stringifyDecoded(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it("leaves out undefined members", () => {
    expect(stringifyDecoded({ a: undefined, b: null, c: [undefined] })).toBe(
      '{"b":null,"c":[null]}',
    );
  });
});

describe("toJsonLine", () => {
  it("writes kind, cause, keys, images and meta, without the raw record", () => {
    const record = streamRecord(
      "REMOVE",
      {},
      { userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } },
    );
    const line = JSON.parse(toJsonLine(decodeRecord(record, { source: "lambda", position: 0 })));
    expect(Object.keys(line)).toEqual(["kind", "cause", "keys", "oldImage", "meta"]);
    expect(line).toMatchObject({ kind: "remove", cause: "ttl", oldImage: { total: 10.5 } });
    expect(line.meta.approximateCreationTime).toBe("2026-11-20T14:03:11.000Z");
  });
});
