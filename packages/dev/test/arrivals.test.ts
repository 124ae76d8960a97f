import { expect, it } from "vitest";
import { Arrivals } from "../src/arrivals.js";

it("measures lag from the oldest record past a subscriber's checkpoints, and forgets what all passed", () => {
  const arrivals = new Arrivals();
  arrivals.add("100", 1_000);
  arrivals.add("200", 2_000);
  arrivals.add("300", 3_000);
  // No checkpoint yet: behind the first record seen.
  expect(arrivals.lagMs([], 5_000)).toBe(4_000);
  expect(arrivals.lagMs(["100"], 5_000)).toBe(3_000);
  // Several shards: the one furthest behind counts. Sequence numbers compare as numbers.
  expect(arrivals.lagMs(["300", "99"], 5_000)).toBe(4_000);
  expect(arrivals.lagMs(["300"], 5_000)).toBe(0);

  // One subscriber without a checkpoint keeps everything.
  arrivals.forget([["200"], []]);
  expect(arrivals.lagMs([], 5_000)).toBe(4_000);
  arrivals.forget([["200"], ["300"]]);
  expect(arrivals.lagMs([], 5_000)).toBe(2_000);
});
