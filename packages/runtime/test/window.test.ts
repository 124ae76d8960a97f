import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  PoisonRecordError,
  tumblingWindow,
  type WindowInfo,
} from "../src/index.js";
import { batchOf, memoryLogger } from "./fixtures.js";

interface Totals {
  count: number;
  sum: number;
}

const windowed = (finalized: [Totals, WindowInfo][], letters: DeadLetter[] = []) =>
  tumblingWindow<Totals>({
    pipeline: "p",
    processor: "totals",
    initial: () => ({ count: 0, sum: 0 }),
    reduce: (state, event) => {
      const value = Number(event.newImage?.value);
      if (value === 13) throw new PoisonRecordError("unlucky");
      if (value === 99) throw Object.assign(new Error("x"), { name: "ThrottlingException" });
      return { count: state.count + 1, sum: state.sum + value };
    },
    finalize: (state, window) => {
      finalized.push([state, window]);
    },
    deadLetter: async (batch) => {
      letters.push(...batch);
    },
    logger: memoryLogger().logger,
  });

const window = { start: "2026-11-21T00:00:00Z", end: "2026-11-21T00:01:00Z" };

describe("tumbling windows", () => {
  it("carries typed state between invokes and finalizes on the final invoke", async () => {
    const finalized: [Totals, WindowInfo][] = [];
    const handler = windowed(finalized);
    const first = await handler({ ...batchOf(["a", "b", "c"]), window, state: {}, shardId: "s-1" });
    expect(first).toEqual({ state: { count: 3, sum: 0 + 1 + 2 }, batchItemFailures: [] });
    expect(finalized).toEqual([]);
    const last = await handler({
      Records: [],
      window,
      state: first.state as never,
      shardId: "s-1",
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    });
    expect(last.state).toEqual({ count: 3, sum: 3 });
    expect(finalized).toEqual([
      [
        { count: 3, sum: 3 },
        { ...window, shardId: "s-1", terminatedEarly: false },
      ],
    ]);
  });

  it("dead-letters a poison record and keeps folding", async () => {
    const letters: DeadLetter[] = [];
    const handler = windowed([], letters);
    const event = batchOf(["a", "b", "c"]);
    event.Records[1]!.dynamodb!.NewImage!.value = { N: "13" };
    const response = await handler({ ...event, window, state: {} });
    expect(response.state).toEqual({ count: 2, sum: 2 });
    expect(letters.map((l) => l.record.eventID)).toEqual(["event-1"]);
  });

  it("fails the invoke on a transient error so Lambda retries with the previous state", async () => {
    const handler = windowed([]);
    const event = batchOf(["a", "b"]);
    event.Records[1]!.dynamodb!.NewImage!.value = { N: "99" };
    await expect(handler({ ...event, window, state: { count: 5, sum: 5 } })).rejects.toThrow("x");
  });
});
