import { describe, expect, it } from "vitest";
import { rateLimiter } from "../src/index.js";

function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    elapsed: () => now,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

describe("rateLimiter", () => {
  it("lets a second's worth through, then paces to the rate", async () => {
    const { clock, elapsed } = fakeClock();
    const take = rateLimiter(10, clock);
    await take(10);
    expect(elapsed()).toBe(0);
    await take(20);
    // 20 more records at 10 per second take two more seconds of clock.
    expect(elapsed()).toBeCloseTo(2000, 6);
  });

  it("refuses a rate that is not positive", () => {
    expect(() => rateLimiter(0)).toThrow(RangeError);
  });
});
