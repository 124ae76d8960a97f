import { describe, expect, it } from "vitest";
import { Deadline } from "../src/deadline.js";
import { retryPolicy } from "../src/retry.js";

describe("backoff with full jitter", () => {
  it("draws each delay from [0, min(cap, base * 2^(n-1)))", () => {
    const low = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0 });
    const high = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.9999 });
    expect([1, 2, 3, 4, 5, 6].map((n) => low.delay(n))).toEqual([0, 0, 0, 0, 0, 0]);
    expect([1, 2, 3, 4, 5, 6].map((n) => high.delay(n))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it("makes at least one attempt", () => {
    expect(retryPolicy({ maxAttempts: 0 }).maxAttempts).toBe(1);
  });
});

describe("deadline", () => {
  it("expires when the remaining time drops below the margin", () => {
    let remaining = 10_000;
    const deadline = new Deadline(() => remaining, 2_000);
    expect(deadline.expired).toBe(false);
    expect(deadline.allows(8_000)).toBe(true);
    expect(deadline.allows(8_001)).toBe(false);
    remaining = 1_999;
    expect(deadline.expired).toBe(true);
    deadline.dispose();
  });

  it("keeps the margin at most a quarter of a short function timeout", () => {
    const deadline = new Deadline(() => 3_000, 5_000);
    expect(deadline.allows(2_250)).toBe(true);
    expect(deadline.allows(2_251)).toBe(false);
    deadline.dispose();
  });

  it("aborts its signal when the deadline passes", async () => {
    const deadline = new Deadline(() => 40, 10);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: "TimeoutError" });
    deadline.dispose();
  });

  it("never expires without a Lambda context", () => {
    const deadline = new Deadline(undefined, 1_000);
    expect(deadline.expired).toBe(false);
    expect(deadline.signal.aborted).toBe(false);
    deadline.dispose();
  });
});
