import { describe, expect, it } from "vitest";
import type { DynamoDBTimeWindowEvent } from "../src/mapping/index.js";
import { sequenceOf, streamTable } from "./mapping-helpers.js";

type CountState = { count?: number };
type WindowEvent = DynamoDBTimeWindowEvent<CountState>;

const WINDOW_SECONDS = 900;
const WINDOW_MS = WINDOW_SECONDS * 1000;

/**
 * A table with records that share one window, and a clock the test moves forward to close it.
 * Windows are aligned on the epoch, so writes never start in the last 2 s of one.
 */
async function windowed(count: number) {
  const t = await streamTable();
  const left = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (left < 2000) await new Promise((resolve) => setTimeout(resolve, left + 50));
  for (let i = 1; i <= count; i++) await t.put("P", `S#${i}`);
  const time = { offset: 0 };
  return { t, time, clock: () => Date.now() + time.offset };
}

describe("event source mapping: TumblingWindowInSeconds", () => {
  it("carries state between invocations and closes the window with a final, record-less invoke", async () => {
    const { t, time, clock } = await windowed(3);
    const aggregations: WindowEvent[] = [];
    const finals: WindowEvent[] = [];
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 1,
      TumblingWindowInSeconds: WINDOW_SECONDS,
      clock,
      handler: (event: WindowEvent) => {
        if (event.isFinalInvokeForWindow) {
          finals.push(event);
          return { state: event.state };
        }
        aggregations.push(event);
        return { state: { count: (event.state.count ?? 0) + event.Records.length } };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();
    // The window is still open: no final invoke yet.
    expect(aggregations.map((event) => event.state)).toEqual([{}, { count: 1 }, { count: 2 }]);
    expect(finals).toHaveLength(0);

    time.offset += WINDOW_MS;
    await mapping.waitForIdle();

    const shardId = Object.keys(mapping.stats().shards)[0];
    expect(finals).toEqual([
      {
        Records: [],
        window: aggregations[0]?.window,
        state: { count: 3 },
        shardId,
        eventSourceARN: t.streamArn,
        isFinalInvokeForWindow: true,
        isWindowTerminatedEarly: false,
      },
    ]);
    for (const event of aggregations) {
      expect(event).toMatchObject({
        isFinalInvokeForWindow: false,
        isWindowTerminatedEarly: false,
      });
    }
    const { start, end } = aggregations[0]!.window;
    expect(Date.parse(end) - Date.parse(start)).toBe(WINDOW_MS);
    expect(Date.parse(start) % WINDOW_MS).toBe(0);
    const created =
      (aggregations[0]?.Records[0]?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
    expect(created).toBeGreaterThanOrEqual(Date.parse(start));
    expect(created).toBeLessThan(Date.parse(end));
    expect(start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
  });

  it("retries a failed or state-less invocation with the state it had, and retries a failed final invoke", async () => {
    const { t, time, clock } = await windowed(2);
    let calls = 0;
    let finalFailures = 0;
    const finals: WindowEvent[] = [];
    const received: CountState[] = [];
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 1,
      TumblingWindowInSeconds: WINDOW_SECONDS,
      clock,
      handler: (event: WindowEvent) => {
        if (event.isFinalInvokeForWindow) {
          if (finalFailures === 0) {
            finalFailures += 1;
            throw new Error("final failed");
          }
          finals.push(event);
          return { state: {} };
        }
        calls += 1;
        received.push(event.state);
        if (calls === 2) throw new Error("aggregation failed");
        // The response of a window function must hold state; without it the invocation failed.
        if (calls === 3) return { count: 99 };
        return { state: { count: (event.state.count ?? 0) + 1 } };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();
    time.offset += WINDOW_MS;
    await mapping.waitForIdle();

    // Record two is tried three times, always with the state left by record one.
    expect(received).toEqual([{}, { count: 1 }, { count: 1 }, { count: 1 }]);
    expect(finals.map((event) => event.state)).toEqual([{ count: 2 }]);
    expect(mapping.invocations.map((invocation) => invocation.outcome.kind)).toEqual([
      "success",
      "failure",
      "failure",
      "success",
      "failure",
      "success",
    ]);
    expect(mapping.invocations[2]?.outcome).toMatchObject({
      reason: expect.stringMatching(/must contain `state`/),
    });
    expect(mapping.stats()).toMatchObject({ recordsSucceeded: 2, retries: 3 });
  });

  it("keeps the state of a partial response and redelivers from the reported record", async () => {
    const { t, time, clock } = await windowed(3);
    const seen: { keys: string[]; state: CountState }[] = [];
    const finals: WindowEvent[] = [];
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 3,
      TumblingWindowInSeconds: WINDOW_SECONDS,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      clock,
      handler: (event: WindowEvent) => {
        if (event.isFinalInvokeForWindow) {
          finals.push(event);
          return { state: event.state };
        }
        seen.push({
          keys: event.Records.map((record) => record.dynamodb?.Keys?.SK?.S as string),
          state: event.state,
        });
        const count = event.state.count ?? 0;
        if (seen.length === 1) {
          // Only the first record counted; the second failed.
          return {
            state: { count: count + 1 },
            batchItemFailures: [{ itemIdentifier: sequenceOf(event.Records[1]!) }],
          };
        }
        return { state: { count: count + event.Records.length } };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();
    time.offset += WINDOW_MS;
    await mapping.waitForIdle();

    expect(seen).toEqual([
      { keys: ["S#1", "S#2", "S#3"], state: {} },
      { keys: ["S#2", "S#3"], state: { count: 1 } },
    ]);
    expect(finals.map((event) => event.state)).toEqual([{ count: 3 }]);
  });

  it("ends a window early when its state passes 1 MB, and starts the rest with fresh state", async () => {
    const { t, clock } = await windowed(2);
    const events: WindowEvent[] = [];
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 1,
      TumblingWindowInSeconds: WINDOW_SECONDS,
      clock,
      handler: (event: WindowEvent) => {
        events.push(event);
        if (event.isFinalInvokeForWindow) return { state: {} };
        if (events.length === 1) return { state: { blob: "x".repeat(1024 * 1024) } };
        return { state: { count: 1 } };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    const [, second, third] = events;
    expect(second).toMatchObject({
      Records: [],
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: true,
    });
    expect((second?.state as { blob?: string } | undefined)?.blob).toHaveLength(1024 * 1024);
    expect(third?.Records).toHaveLength(1);
    expect(third?.state).toEqual({});
  });
});
