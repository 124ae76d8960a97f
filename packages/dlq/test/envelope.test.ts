import { describe, expect, it } from "vitest";
import {
  EnvelopeError,
  envelopeId,
  parseDeadLetterMessage,
  parseEnvelope,
  toEnvelope,
  trimStack,
} from "../src/index.js";
import { deadLetter, streamRecord } from "./fixtures.js";

function parseError(text: string): EnvelopeError {
  try {
    parseEnvelope(text);
  } catch (error) {
    if (error instanceof EnvelopeError) return error;
    throw error;
  }
  throw new Error("parseEnvelope accepted it");
}

describe("envelope", () => {
  it("holds the record exactly as received, the error, attempts, names and failure times", () => {
    const letter = deadLetter(1);
    const envelope = toEnvelope(letter);
    expect(envelope).toEqual({
      v: 1,
      id: envelopeId("orders", "daily-sales", letter.record),
      pipeline: "orders",
      processor: "daily-sales",
      record: letter.record,
      error: letter.error,
      attempts: 1,
      firstFailureAt: "2026-11-21T10:00:00.000Z",
      lastFailureAt: "2026-11-21T10:00:01.000Z",
    });
    expect(parseEnvelope(JSON.stringify(envelope))).toEqual(envelope);
  });

  it("gives the same failure the same id, and other processors or records other ids", () => {
    const first = toEnvelope(deadLetter(1));
    const again = toEnvelope(deadLetter(1, { attempts: 3, lastFailureAt: new Date() }));
    expect(again.id).toBe(first.id);
    expect(toEnvelope(deadLetter(1, { processor: "search" })).id).not.toBe(first.id);
    expect(toEnvelope(deadLetter(2)).id).not.toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("writes GetRecords output (Date, bytes) in Lambda's JSON form", () => {
    const record = streamRecord(1);
    const fromSdk = {
      ...record,
      dynamodb: {
        ...record.dynamodb,
        ApproximateCreationDateTime: new Date(1_763_683_201_000),
        NewImage: { blob: { B: new Uint8Array([1, 2, 3]) } },
      },
    };
    const envelope = toEnvelope(deadLetter(1, { record: fromSdk }));
    expect(envelope.record.dynamodb?.ApproximateCreationDateTime).toBe(1_763_683_201);
    expect(envelope.record.dynamodb?.NewImage).toEqual({ blob: { B: "AQID" } });
  });

  it("trims long stacks to the frames that locate the failure", () => {
    const stack = ["Error: deep", ...Array.from({ length: 200 }, (_, i) => `    at f${i} (x.ts)`)];
    const trimmed = trimStack(stack.join("\n"));
    expect(trimmed.split("\n")).toHaveLength(15);
    expect(trimmed.startsWith("Error: deep\n    at f0 (x.ts)")).toBe(true);
    const letter = deadLetter(1);
    letter.error.stack = stack.join("\n");
    expect(toEnvelope(letter).error.stack).toBe(trimmed);
  });

  it("rejects text that is not JSON with NOT_JSON", () => {
    expect(parseError("order 42 failed").code).toBe("NOT_JSON");
  });

  it("rejects other versions with UNKNOWN_VERSION", () => {
    const envelope = { ...toEnvelope(deadLetter(1)), v: 2 };
    const error = parseError(JSON.stringify(envelope));
    expect(error.code).toBe("UNKNOWN_VERSION");
    expect(error.message).toContain("upgrade @sluice/dlq");
  });

  it("rejects an envelope without its record with MISSING_PAYLOAD", () => {
    const { record: _, ...rest } = toEnvelope(deadLetter(1));
    expect(parseError(JSON.stringify(rest)).code).toBe("MISSING_PAYLOAD");
  });

  it.each([
    ["error", (e: Record<string, unknown>) => delete e.error],
    [
      "error.class",
      (e: Record<string, unknown>) => ((e.error as Record<string, unknown>).class = "bad"),
    ],
    ["attempts", (e: Record<string, unknown>) => (e.attempts = "1")],
    ["lastFailureAt", (e: Record<string, unknown>) => (e.lastFailureAt = "yesterday")],
    ["processor", (e: Record<string, unknown>) => delete e.processor],
    [
      "error.message",
      (e: Record<string, unknown>) => ((e.error as Record<string, unknown>).message = 7),
    ],
  ])("rejects a malformed %s with INVALID_ENVELOPE", (field, spoil) => {
    const envelope = toEnvelope(deadLetter(1)) as unknown as Record<string, unknown>;
    spoil(envelope);
    const error = parseError(JSON.stringify(envelope));
    expect(error.code).toBe("INVALID_ENVELOPE");
    expect(error.message).toContain(`"${field}"`);
  });

  it("reads a claim-check pointer as a pointer, and parseEnvelope refuses it", () => {
    const pointer = {
      v: 1,
      id: "abc",
      pipeline: "orders",
      processor: "daily-sales",
      claimCheck: { bucket: "b", key: "k.json", bytes: 10 },
    };
    expect(parseDeadLetterMessage(JSON.stringify(pointer))).toEqual(pointer);
    expect(parseError(JSON.stringify(pointer)).code).toBe("INVALID_ENVELOPE");
  });
});
