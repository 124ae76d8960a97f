import type { ChangeEvent } from "@sluice/records";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BatchProcessor,
  MemoryCheckpointStore,
  type Ordering,
  PoisonRecordError,
  type RecordResult,
  streamHandler,
  transient,
} from "../src/index.js";
import { memoryLogger, streamRecord } from "./fixtures.js";
import { simulateStream } from "./lambda-simulator.js";

/**
 * What happens to a record each time it is handled: it fails transiently for its first
 * `transientFailures` calls, then either succeeds or (`poison`) fails permanently. The
 * dead-letter hook fails the first `hookFailures` times it sees the record.
 */
const planArb = fc.record({
  item: fc.integer({ min: 0, max: 5 }),
  transientFailures: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 4 })),
  poison: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  hookFailures: fc.oneof(
    fc.constant(0),
    fc.constant(0),
    fc.constant(0),
    fc.integer({ min: 1, max: 2 }),
  ),
  costMs: fc.integer({ min: 1, max: 200 }),
});

const scenarioArb = fc.record({
  plans: fc.array(planArb, { minLength: 1, maxLength: 40 }),
  ordering: fc.constantFrom<Ordering>("strict", "per-item"),
  concurrency: fc.integer({ min: 1, max: 4 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  maxAttempts: fc.integer({ min: 1, max: 3 }),
  timeoutMs: fc.integer({ min: 800, max: 2_000 }),
  checkpoints: fc.boolean(),
  style: fc.constantFrom<"record" | "batch">("record", "batch"),
  // What Lambda may send next: lanes of a ParallelizationFactor, bisected halves, batches of any
  // size from the reported record on, lost responses; each invocation in a fresh container or not.
  delivery: fc.record({
    lanes: fc.integer({ min: 1, max: 10 }),
    bisect: fc.boolean(),
    resize: fc.boolean(),
    lostResponses: fc.constantFrom(0, 0, 0.2),
    seed: fc.integer(),
  }),
  freshContainers: fc.boolean(),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

async function run(scenario: Scenario) {
  const records = scenario.plans.map((plan, index) =>
    streamRecord({ index, pk: `item-${plan.item}` }),
  );
  const indexOf = (eventId: string) => Number(eventId.split("-")[1]);
  const laneOf = (item: number) => item % scenario.delivery.lanes;
  const calls = scenario.plans.map(() => 0);
  const hookCalls = scenario.plans.map(() => 0);
  const applied = scenario.plans.map(() => 0);
  const deadLettered = scenario.plans.map(() => 0);
  const done = (i: number) => applied[i]! + deadLettered[i]! > 0;
  const violations: string[] = [];

  // Lambda's clock: every handled record and every backoff sleep spends time.
  let now = 0;
  let invocationEnds = 0;
  const margin = 400;

  const applyOne = async (event: ChangeEvent) => {
    const i = indexOf(event.meta.eventId);
    const plan = scenario.plans[i]!;
    // Let other items interleave.
    await new Promise((resolve) => setImmediate(resolve));
    now += plan.costMs / scenario.concurrency;
    calls[i]!++;
    if (calls[i]! <= plan.transientFailures) {
      throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
    }
    if (plan.poison) throw new PoisonRecordError("poison");
    for (let j = 0; j < i; j++) {
      const sameItem = scenario.plans[j]!.item === plan.item;
      const sameLane = laneOf(scenario.plans[j]!.item) === laneOf(plan.item);
      // A batch processor's poison records are dead-lettered when the call returns.
      const pendingPoison = scenario.style === "batch" && scenario.plans[j]!.poison;
      if (
        ((scenario.ordering === "strict" && sameLane) || sameItem) &&
        !done(j) &&
        !pendingPoison
      ) {
        violations.push(`record ${i} applied before record ${j} was finished`);
      }
    }
    applied[i]!++;
  };

  // A well-behaved batch processor: in order, an item (or, strict, the batch) stops at its first
  // transient failure, and it stops starting records near the deadline.
  const batchProcessor: BatchProcessor = {
    name: "apply",
    async process(events, ctx): Promise<RecordResult[]> {
      const blocked = new Set<string>();
      const results: RecordResult[] = [];
      for (const event of events) {
        const item = scenario.ordering === "strict" ? "" : String(event.keys.PK);
        const late = (ctx.lambda?.getRemainingTimeInMillis() ?? Infinity) < margin;
        if (blocked.has(item) || late) {
          results.push({ ok: false, error: transient(new Error("held back")) });
          continue;
        }
        try {
          await applyOne(event);
          results.push({ ok: true });
        } catch (error) {
          if (!(error instanceof PoisonRecordError)) blocked.add(item);
          results.push({ ok: false, error });
        }
      }
      return results;
    },
  };

  const checkpoints = new MemoryCheckpointStore();
  const createHandler = () =>
    streamHandler({
      pipeline: "prop",
      processor: "apply",
      ordering: scenario.ordering,
      concurrency: scenario.concurrency,
      deadlineMarginMs: margin,
      retry: {
        maxAttempts: scenario.maxAttempts,
        baseDelayMs: 50,
        random: () => 0.5,
        sleep: async (ms) => {
          now += ms;
        },
      },
      ...(scenario.checkpoints ? { checkpoints } : {}),
      ...(scenario.style === "record" ? { handle: applyOne } : { processors: [batchProcessor] }),
      deadLetter: async (letters) => {
        for (const letter of letters) {
          const i = indexOf(letter.record.eventID!);
          hookCalls[i]!++;
          if (hookCalls[i]! <= scenario.plans[i]!.hookFailures) throw new Error("queue down");
        }
        for (const letter of letters) deadLettered[indexOf(letter.record.eventID!)]!++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });

  let handler = createHandler();
  const invocations = await simulateStream({
    records,
    batchSize: scenario.batchSize,
    laneOf: (record) => laneOf(scenario.plans[indexOf(record.eventID!)]!.item),
    delivery: scenario.delivery,
    handler: (event, context) => {
      if (scenario.freshContainers) handler = createHandler();
      return handler(event, context);
    },
    context: () => {
      invocationEnds = now + scenario.timeoutMs;
      return { getRemainingTimeInMillis: () => invocationEnds - now };
    },
    onInvocation: ({ batch, response, batchFailed, responseLost }) => {
      if (batchFailed) {
        violations.push("the response failed the whole batch");
        return;
      }
      if (now > invocationEnds) violations.push("the invocation ran past its timeout");
      if (responseLost) return;
      const reported = response!.batchItemFailures.map((f) => BigInt(f.itemIdentifier));
      const resumeAt = reported.sort((a, b) => (a < b ? -1 : 1))[0];
      for (const record of batch) {
        const i = indexOf(record.eventID!);
        const seq = BigInt(record.dynamodb!.SequenceNumber!);
        if (!done(i) && (resumeAt === undefined || seq < resumeAt)) {
          violations.push(`record ${i} is unfinished and Lambda will not redeliver it`);
        }
      }
    },
  });
  return { invocations, applied, deadLettered, violations };
}

describe("ordering contract under Lambda's redelivery", () => {
  it("never applies a record before an earlier failed record of its item, and reports every unfinished record", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { violations, applied, deadLettered } = await run(scenario);
        expect(violations).toEqual([]);
        // Nothing is lost: each record ends applied or dead-lettered, never both.
        scenario.plans.forEach((plan, i) => {
          if (plan.poison) {
            expect(applied[i]).toBe(0);
            expect(deadLettered[i]).toBeGreaterThanOrEqual(1);
          } else {
            expect(deadLettered[i]).toBe(0);
            expect(applied[i]).toBeGreaterThanOrEqual(1);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it("with checkpoints, applies or dead-letters every record exactly once over any redelivery Lambda may send", async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArb.map((s) => ({ ...s, checkpoints: true })),
        async (scenario) => {
          const { violations, applied, deadLettered } = await run(scenario);
          expect(violations).toEqual([]);
          scenario.plans.forEach((plan, i) => {
            expect([applied[i], deadLettered[i]]).toEqual(plan.poison ? [0, 1] : [1, 0]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("without checkpoints, redelivery applies succeeded records again (why checkpoints exist)", async () => {
    const scenario: Scenario = {
      plans: [
        { item: 0, transientFailures: 1, poison: false, hookFailures: 0, costMs: 1 },
        { item: 1, transientFailures: 0, poison: false, hookFailures: 0, costMs: 1 },
      ],
      ordering: "per-item",
      concurrency: 2,
      batchSize: 2,
      maxAttempts: 1,
      timeoutMs: 3_000,
      checkpoints: false,
      style: "record",
      delivery: { lanes: 1, bisect: false, resize: false, lostResponses: 0, seed: 1 },
      freshContainers: false,
    };
    const { applied } = await run(scenario);
    expect(applied).toEqual([1, 2]);
    const { applied: withCheckpoints } = await run({ ...scenario, checkpoints: true });
    expect(withCheckpoints).toEqual([1, 1]);
  });
});
