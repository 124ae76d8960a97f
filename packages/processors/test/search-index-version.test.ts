import type { ChangeEvent } from "@sluice/records";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attributeVersion,
  MAX_VERSION,
  SEQUENCE_DIGITS,
  streamVersion,
} from "../src/search-index/index.js";

const FACTOR = 10n ** BigInt(SEQUENCE_DIGITS);
/** The last second whose versions fit a signed 64-bit long: 2262-04-11. */
const LAST_SECOND = Number((MAX_VERSION - (FACTOR - 1n)) / FACTOR);

function change(
  seconds: number,
  sequenceNumber: bigint,
  images: { kind?: "insert" | "modify" | "remove"; newImage?: object; oldImage?: object } = {},
): ChangeEvent<Record<string, unknown>> {
  return {
    kind: images.kind ?? "modify",
    keys: { PK: "ITEM#1" },
    newImage: images.newImage,
    oldImage: images.oldImage,
    meta: {
      eventId: `e-${sequenceNumber}`,
      eventName: "MODIFY",
      sequenceNumber: sequenceNumber.toString(),
      approximateCreationTime: new Date(seconds * 1000),
      source: "lambda",
      position: 0,
    },
    raw: {},
  } as ChangeEvent<Record<string, unknown>>;
}

/** Sequence numbers as DynamoDB writes them: 21 to 40 digits. */
const sequenceNumber = fc.bigInt({ min: 10n ** 20n, max: 10n ** 40n - 10n ** 12n });
/** Creation times from 2020 to the last second that fits. */
const seconds = fc.integer({ min: 1_577_836_800, max: LAST_SECOND - 10_000 });
/** One item's next change: mostly in the same second, the sequence a little or a lot further. */
const step = fc.record({
  dt: fc.constantFrom(0, 0, 0, 1, 2),
  dseq: fc.oneof(fc.bigInt({ min: 1n, max: 1_000n }), fc.bigInt({ min: 1n, max: 10n ** 10n })),
});

describe("streamVersion", () => {
  it("grows with the sequence number within an item, except across a 10^9 boundary inside one second", () => {
    fc.assert(
      fc.property(
        seconds,
        sequenceNumber,
        fc.array(step, { minLength: 1, maxLength: 30 }),
        (t0, s0, steps) => {
          let t = t0;
          let s = s0;
          let previous = streamVersion(change(t, s));
          for (const { dt, dseq } of steps) {
            const crossed = s / FACTOR !== (s + dseq) / FACTOR;
            const lowGrew = (s + dseq) % FACTOR > s % FACTOR;
            t += dt;
            s += dseq;
            const version = streamVersion(change(t, s));
            // The promise: a later second, or the same second without crossing a 10^9 boundary.
            if (dt > 0 || !crossed) expect(version).toBeGreaterThan(previous);
            // The limit: within one second only the low nine digits order the changes.
            else expect(version > previous).toBe(lowGrew);
            previous = version;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("orders two changes of one second wrongly when the low nine digits wrap between them", () => {
    const before = streamVersion(change(1_796_120_160, 5n * FACTOR - 10n));
    const after = streamVersion(change(1_796_120_160, 5n * FACTOR + 5n));
    expect(after).toBeLessThan(before);
    expect(streamVersion(change(1_796_120_161, 5n * FACTOR + 5n))).toBeGreaterThan(before);
  });

  it("gives a redelivered change the same version", () => {
    fc.assert(
      fc.property(seconds, sequenceNumber, (t, s) => {
        expect(streamVersion(change(t, s))).toBe(streamVersion(change(t, s)));
      }),
    );
  });

  it("fits a signed 64-bit long for every sequence number up to 40 digits until 2262", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: LAST_SECOND }),
        fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }),
        (t, s) => {
          const version = streamVersion(change(t, s));
          expect(version).toBeGreaterThanOrEqual(0n);
          expect(version).toBeLessThanOrEqual(MAX_VERSION);
        },
      ),
    );
    expect(new Date(LAST_SECOND * 1000).toISOString()).toBe("2262-04-11T23:47:15.000Z");
    expect(() => streamVersion(change(LAST_SECOND + 1, 10n ** 40n - 1n))).toThrow(
      /past what a long/,
    );
  });

  it("is seconds × 10^9 plus the sequence number's low nine digits", () => {
    const version = streamVersion(change(1_796_120_160, 4_421_584_500_000_000_017_450_439_091n));
    expect(version).toBe(1_796_120_160_450_439_091n);
  });

  it("refuses a change without a creation time", () => {
    const noTime = change(1, 1n);
    delete noTime.meta.approximateCreationTime;
    expect(() => streamVersion(noTime)).toThrow(/no approximate creation time/);
  });
});

describe("attributeVersion", () => {
  it("follows the attribute on writes and deletes one above the last write", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: MAX_VERSION - 2n }), { minLength: 2, maxLength: 20 }),
        (values) => {
          const sorted = [...new Set(values)].sort((a, b) => (a < b ? -1 : 1));
          const versions = sorted.map((v) =>
            attributeVersion(change(1, 1n, { newImage: { v } }), "v"),
          );
          expect(versions).toEqual(sorted);
          const last = sorted.at(-1)!;
          const removal = attributeVersion(
            change(1, 1n, { kind: "remove", oldImage: { v: last } }),
            "v",
          );
          expect(removal).toBe(last + 1n);
          expect(removal).toBeLessThanOrEqual(MAX_VERSION);
        },
      ),
    );
  });

  it("reads numbers as JS numbers, bigints or digit strings, and refuses anything else", () => {
    const at = (v: unknown) => attributeVersion(change(1, 1n, { newImage: { v } }), "v");
    expect(at(7)).toBe(7n);
    expect(at(2n ** 62n)).toBe(2n ** 62n);
    expect(at("12")).toBe(12n);
    for (const bad of [1.5, -1, "x", undefined, MAX_VERSION, { kind: "decimal", value: "1.5" }]) {
      expect(() => at(bad)).toThrow(/version attribute "v"/);
    }
    expect(() => attributeVersion(change(1, 1n, { kind: "remove" }), "v")).toThrow(/old image/);
  });
});
