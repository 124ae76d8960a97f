import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareSequenceNumbers, maxSequenceNumber, minSequenceNumber } from "../src/index.js";

describe("sequence numbers compare as integers, not text", () => {
  it("orders numbers of different lengths", () => {
    expect(compareSequenceNumbers("9", "10")).toBeLessThan(0);
    expect(
      compareSequenceNumbers("100000000000000000000000000000000000001", "99999999999999999999"),
    ).toBeGreaterThan(0);
    expect(
      compareSequenceNumbers("4421584500000000017450439091", "4421584500000000017450439091"),
    ).toBe(0);
  });

  it("agrees with BigInt for any pair", () => {
    const seq = fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }).map(String);
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        expect(Math.sign(compareSequenceNumbers(a, b))).toBe(
          BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0,
        );
      }),
    );
  });

  it("finds the lowest and highest", () => {
    const all = ["300", "1000", "99", "20000000000000000000000"];
    expect(minSequenceNumber(all)).toBe("99");
    expect(maxSequenceNumber(all)).toBe("20000000000000000000000");
    expect(minSequenceNumber([])).toBeUndefined();
  });

  it("rejects text that is not a sequence number", () => {
    expect(() => compareSequenceNumbers("12a", "1")).toThrow(/string of digits/);
  });
});
