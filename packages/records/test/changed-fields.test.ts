import { describe, expect, it } from "vitest";
import {
  type ChangeEvent,
  changedFields,
  decimal,
  decodedEqual,
  decodeRecord,
} from "../src/index.js";
import { streamRecord } from "./helpers.js";

function modify(oldImage: Record<string, unknown>, newImage: Record<string, unknown>): ChangeEvent {
  const event = decodeRecord(streamRecord("MODIFY"), { source: "lambda", position: 0 });
  return { ...event, kind: "modify", oldImage, newImage } as ChangeEvent;
}

describe("changedFields", () => {
  it("lists added, removed and changed attributes", () => {
    const result = changedFields(
      modify(
        { status: "pending", total: 10, note: "gift", tags: new Set(["a"]) },
        { status: "paid", total: 10, trackingNumber: "T1", tags: new Set(["a"]) },
      ),
    );
    expect(result).toEqual({ added: ["trackingNumber"], removed: ["note"], changed: ["status"] });
  });

  it("compares nested values deeply", () => {
    const items = () => [{ sku: "A", qty: 1, price: decimal("0.10000000000000000001") }];
    expect(changedFields(modify({ items: items() }, { items: items() })).changed).toEqual([]);
    const more = items();
    more[0]!.qty = 2;
    expect(changedFields(modify({ items: items() }, { items: more })).changed).toEqual(["items"]);
  });

  it("needs both images", () => {
    const keysOnly = decodeRecord(streamRecord("MODIFY", { StreamViewType: "KEYS_ONLY" }), {
      source: "lambda",
      position: 0,
    });
    expect(() => changedFields(keysOnly)).toThrowError(
      expect.objectContaining({ code: "MISSING_IMAGE" }),
    );
  });
});

describe("decodedEqual", () => {
  it("compares Sets in any order, including sets of bytes", () => {
    expect(decodedEqual(new Set([1, 2]), new Set([2, 1]))).toBe(true);
    expect(decodedEqual(new Set([1, 2]), new Set([1, 3]))).toBe(false);
    expect(decodedEqual(new Set([new Uint8Array([1])]), new Set([new Uint8Array([1])]))).toBe(true);
    expect(decodedEqual(new Set([new Uint8Array([1])]), new Set([new Uint8Array([2])]))).toBe(
      false,
    );
  });
  it("compares binary by bytes, bigint and Decimal by value", () => {
    expect(decodedEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(decodedEqual(new Uint8Array([1, 2]), new Uint8Array([1]))).toBe(false);
    expect(decodedEqual(10n ** 30n, 10n ** 30n)).toBe(true);
    expect(decodedEqual(10n ** 30n, 10n ** 30n + 1n)).toBe(false);
    expect(decodedEqual(decimal("1.50"), decimal("1.5"))).toBe(true);
    expect(decodedEqual(decimal("1.5"), decimal("1.6"))).toBe(false);
  });
  it("tells maps with different keys apart", () => {
    expect(decodedEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(decodedEqual({ a: [1, null] }, { a: [1, null] })).toBe(true);
    expect(decodedEqual([1], { 0: 1 })).toBe(false);
    expect(decodedEqual(null, {})).toBe(false);
  });
});
