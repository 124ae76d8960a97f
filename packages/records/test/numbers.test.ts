import { describe, expect, it } from "vitest";
import {
  canonicalNumber,
  decimal,
  decodeAttribute,
  isDecimal,
  SluiceDecodeError,
} from "../src/index.js";

const auto = (n: string) => decodeAttribute({ N: n });

describe("numbers in auto mode", () => {
  it("gives a JS number when the value round-trips, whatever the spelling", () => {
    expect(auto("42")).toBe(42);
    expect(auto("-7")).toBe(-7);
    expect(auto("1.50")).toBe(1.5);
    expect(auto("1e2")).toBe(100);
    expect(auto("0.1")).toBe(0.1);
    expect(auto("0.30000000000000004")).toBe(0.30000000000000004);
    expect(auto("9007199254740991")).toBe(9007199254740991);
    expect(auto("1E-130")).toBe(1e-130);
    expect(Object.is(auto("-0"), 0)).toBe(true);
  });

  it("gives a bigint for integers beyond the safe range", () => {
    expect(auto("9007199254740993")).toBe(9007199254740993n);
    expect(auto("9007199254740992")).toBe(9007199254740992n);
    expect(auto("12345678901234567890123456789012345678")).toBe(
      12345678901234567890123456789012345678n,
    );
    expect(auto("-1.2e20")).toBe(-120000000000000000000n);
  });

  it("gives a Decimal for fractions a double would round", () => {
    expect(auto("0.10000000000000000001")).toEqual({
      kind: "decimal",
      value: "0.10000000000000000001",
    });
    expect(auto("1.0837462918374629183746291837462918374")).toEqual(
      decimal("1.0837462918374629183746291837462918374"),
    );
    expect(auto("12345678901234567.5")).toEqual({ kind: "decimal", value: "12345678901234567.5" });
    expect(auto("1.23456789012345678e-5")).toEqual({
      kind: "decimal",
      value: "0.0000123456789012345678",
    });
  });
});

describe("number modes", () => {
  it("number forces a JS number", () => {
    expect(decodeAttribute({ N: "12345678901234567890" }, { numbers: "number" })).toBe(
      Number("12345678901234567890"),
    );
  });
  it("bigint gives integers as bigint and fractions as Decimal", () => {
    expect(decodeAttribute({ N: "5" }, { numbers: "bigint" })).toBe(5n);
    expect(decodeAttribute({ N: "2.50" }, { numbers: "bigint" })).toEqual(decimal("2.5"));
  });
  it("string keeps the text as sent", () => {
    expect(decodeAttribute({ N: "1.50" }, { numbers: "string" })).toBe("1.50");
  });
});

describe("number validation", () => {
  const invalid = [
    "",
    "abc",
    "1.2.3",
    "1e",
    "--1",
    "0x10",
    "1,5",
    " 1",
    "Infinity",
    "NaN",
    "1e126",
  ];
  it.each(invalid)("rejects %j with INVALID_NUMBER", (text) => {
    expect(() => auto(text)).toThrowError(expect.objectContaining({ code: "INVALID_NUMBER" }));
  });
  it("rejects more than 38 significant digits", () => {
    expect(() => auto("123456789012345678901234567890123456789")).toThrow(/38 significant digits/);
    expect(auto("1234567890123456789012345678901234567800000")).toBe(
      1234567890123456789012345678901234567800000n,
    );
  });
  it("accepts the edges of DynamoDB's range and rejects beyond them", () => {
    expect(auto("9.9999999999999999999999999999999999999E+125")).toEqual(
      BigInt(`99999999999999999999999999999999999999${"0".repeat(88)}`),
    );
    expect(() => auto("1E-131")).toThrowError(SluiceDecodeError);
    expect(() => auto("-1E+126")).toThrowError(SluiceDecodeError);
  });
  it("rejects N that is not text", () => {
    expect(() => decodeAttribute({ N: 5 as unknown as string })).toThrow(/must be a string/);
  });
});

describe("canonicalNumber, decimal and isDecimal", () => {
  it("writes plain, minimal digits", () => {
    expect(canonicalNumber("+001.2300")).toBe("1.23");
    expect(canonicalNumber("1.5e3")).toBe("1500");
    expect(canonicalNumber("-12e-4")).toBe("-0.0012");
    expect(canonicalNumber("-0.000")).toBe("0");
  });
  it("decimal normalizes and validates", () => {
    expect(decimal("1.10")).toEqual({ kind: "decimal", value: "1.1" });
    expect(() => decimal("x")).toThrowError(expect.objectContaining({ code: "INVALID_NUMBER" }));
  });
  it("isDecimal recognizes only Decimals", () => {
    expect(isDecimal(decimal("1.5"))).toBe(true);
    expect(isDecimal({ kind: "decimal" })).toBe(false);
    expect(isDecimal("1.5")).toBe(false);
    expect(isDecimal(null)).toBe(false);
  });
});
