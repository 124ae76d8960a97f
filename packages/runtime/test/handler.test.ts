import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  MemoryCheckpointStore,
  PoisonRecordError,
  permanent,
  type RecordResult,
  streamHandler,
} from "../src/index.js";
import {
  batchOf,
  lambdaContext,
  memoryLogger,
  noSleep,
  seqAt,
  streamRecord,
  undecodable,
} from "./fixtures.js";

const pkOf = (event: { keys: Record<string, unknown> }) => String(event.keys.PK);
const idx = (event: { meta: { eventId: string } }) => Number(event.meta.eventId.split("-")[1]);

function throttle(): Error {
  return Object.assign(new Error("Rate exceeded"), {
    name: "ThrottlingException",
    $metadata: { httpStatusCode: 400 },
  });
}

describe("strict ordering", () => {
  it("stops at the first transient failure and reports exactly that record", async () => {
    const applied: number[] = [];
    const handler = streamHandler({
      pipeline: "p",
      processor: "strict",
      retry: { maxAttempts: 2, ...noSleep },
      handle: (event) => {
        if (idx(event) === 2) throw throttle();
        applied.push(idx(event));
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(batchOf(["a", "b", "c", "d", "e"]), lambdaContext());
    expect(applied).toEqual([0, 1]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seqAt(2) }] });
  });

  it("returns an empty list when every record succeeds", async () => {
    const handler = streamHandler({
      pipeline: "p",
      handle: () => {},
      metrics: false,
      logger: memoryLogger().logger,
    });
    expect(await handler(batchOf(["a", "b"]), lambdaContext())).toEqual({ batchItemFailures: [] });
  });
});

describe("per-item ordering", () => {
  it("keeps going with other items and reports the lowest unfinished record", async () => {
    const applied: number[] = [];
    const handler = streamHandler({
      pipeline: "p",
      processor: "items",
      ordering: "per-item",
      retry: { maxAttempts: 1, ...noSleep },
      handle: (event) => {
        if (idx(event) === 1) throw throttle();
        applied.push(idx(event));
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    // Items: a = 0, 2, 4; b = 1, 3; c = 5.
    const response = await handler(batchOf(["a", "b", "a", "b", "a", "c"]), lambdaContext());
    expect(applied.sort()).toEqual([0, 2, 4, 5]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(1) }]);
  });

  it("runs at most `concurrency` items at once, each item's changes in order", async () => {
    let running = 0;
    let peak = 0;
    const seen = new Map<string, number[]>();
    const handler = streamHandler({
      pipeline: "p",
      ordering: "per-item",
      concurrency: 3,
      handle: async (event) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        seen.set(pkOf(event), [...(seen.get(pkOf(event)) ?? []), idx(event)]);
        running--;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const items = Array.from({ length: 40 }, (_, i) => `item-${i % 8}`);
    await handler(batchOf(items), lambdaContext());
    expect(peak).toBe(3);
    for (const indexes of seen.values()) {
      expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    }
  });
});

describe("error classes", () => {
  it("dead-letters permanent errors at once and carries on", async () => {
    const letters: DeadLetter[] = [];
    const applied: number[] = [];
    let calls = 0;
    const handler = streamHandler({
      pipeline: "shop",
      processor: "mail",
      handle: (event) => {
        calls++;
        if (idx(event) === 1) throw new PoisonRecordError("order without customer");
        if (idx(event) === 2) throw permanent(new Error("marked by the user"));
        applied.push(idx(event));
      },
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(batchOf(["a", "a", "a", "a"]), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(applied).toEqual([0, 3]);
    expect(calls).toBe(4);
    expect(letters.map((l) => [l.record.eventID, l.error.class, l.error.name, l.attempts])).toEqual(
      [
        ["event-1", "permanent", "PoisonRecordError", 1],
        ["event-2", "permanent", "Error", 1],
      ],
    );
    expect(letters[0]).toMatchObject({ pipeline: "shop", processor: "mail" });
  });

  it("dead-letters records that do not decode, with the decode error", async () => {
    const letters: DeadLetter[] = [];
    const handler = streamHandler({
      pipeline: "p",
      handle: () => {},
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "a", "a"]);
    event.Records[1] = undecodable(1, "a");
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.error).toMatchObject({ class: "permanent", name: "SluiceDecodeError" });
    expect(letters[0]!.error.code).toBeTypeOf("string");
  });

  it("dead-letters Standard Schema validation failures", async () => {
    const letters: DeadLetter[] = [];
    const handler = streamHandler({
      pipeline: "p",
      handle: () => {
        throw Object.assign(new Error("invalid"), {
          issues: [{ message: "total: expected number" }],
        });
      },
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    expect(await handler(batchOf(["a"]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(letters).toHaveLength(1);
  });

  it("reports the record when the dead-letter hook fails, never drops it", async () => {
    const handler = streamHandler({
      pipeline: "p",
      handle: (event) => {
        if (idx(event) === 1) throw new PoisonRecordError("bad");
      },
      deadLetter: async () => {
        throw new Error("queue unavailable");
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(batchOf(["a", "b", "c"]), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(1) }]);
  });

  it("reports permanent failures when no dead-letter hook is configured", async () => {
    const { logger, lines } = memoryLogger();
    const handler = streamHandler({
      pipeline: "p",
      handle: () => {
        throw new PoisonRecordError("bad");
      },
      metrics: false,
      logger,
    });
    const response = await handler(batchOf(["a"]), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(0) }]);
    expect(lines.some((l) => String(l.message).includes("no deadLetter hook"))).toBe(true);
  });

  it("retries transient errors with backoff within the invocation", async () => {
    const delays: number[] = [];
    let attempts = 0;
    const handler = streamHandler({
      pipeline: "p",
      retry: {
        maxAttempts: 4,
        baseDelayMs: 100,
        random: () => 0.999,
        sleep: async (ms) => {
          delays.push(ms);
        },
      },
      handle: () => {
        attempts++;
        if (attempts < 4) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    expect(await handler(batchOf(["a"]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(attempts).toBe(4);
    expect(delays).toEqual([99, 199, 399]);
  });

  it("treats unknown errors as transient by default and as the user classifies them", async () => {
    const failing = () => {
      throw new Error("something odd");
    };
    const letters: DeadLetter[] = [];
    const deadLetter = async (batch: DeadLetter[]) => {
      letters.push(...batch);
    };
    const base = {
      pipeline: "p",
      handle: failing,
      deadLetter,
      metrics: false as const,
      logger: memoryLogger().logger,
    };
    const byDefault = streamHandler({ ...base, retry: { maxAttempts: 2, ...noSleep } });
    expect((await byDefault(batchOf(["a"]), lambdaContext())).batchItemFailures).toHaveLength(1);
    expect(letters).toHaveLength(0);

    const classified = streamHandler({
      ...base,
      classify: (error) =>
        error instanceof Error && error.message === "something odd" ? "permanent" : undefined,
    });
    expect((await classified(batchOf(["a"]), lambdaContext())).batchItemFailures).toEqual([]);
    expect(letters).toHaveLength(1);
  });
});

describe("deadline", () => {
  it("starts no record once the remaining time is under the margin and reports the first unstarted", async () => {
    let remaining = 10_000;
    const applied: number[] = [];
    const handler = streamHandler({
      pipeline: "p",
      deadlineMarginMs: 1_000,
      handle: (event) => {
        applied.push(idx(event));
        remaining -= 3_000;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(
      batchOf(["a", "b", "c", "d", "e"]),
      lambdaContext(() => remaining),
    );
    // Started with 10, 7, 4 and 1 s left (1 s is not below the margin); -2 s holds the fifth back.
    expect(applied).toEqual([0, 1, 2, 3]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(4) }]);
  });

  it("answers at the deadline without a handler that ignores the signal; the redelivery adopts its late result", async () => {
    const store = new MemoryCheckpointStore();
    const applied: string[] = [];
    let release = () => {};
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = streamHandler({
      pipeline: "p",
      ordering: "per-item",
      checkpoints: store,
      deadlineMarginMs: 200,
      handle: async (event) => {
        // Record b ignores ctx.signal and outlives the invocation.
        if (event.meta.eventId === "event-1") await stuck;
        applied.push(event.meta.eventId);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const realTime = (ms: number) => {
      const end = Date.now() + ms;
      return lambdaContext(() => end - Date.now());
    };
    const event = batchOf(["a", "b", "c"]);
    expect(await handler(event, realTime(400))).toEqual({
      batchItemFailures: [{ itemIdentifier: seqAt(1) }],
    });
    expect(applied).toEqual(["event-0", "event-2"]);

    release();
    // Lambda sends the rest again from b; b's late run finished meanwhile and counts.
    const again = { Records: event.Records.slice(1) };
    expect(await handler(again, realTime(400))).toEqual({ batchItemFailures: [] });
    expect(applied).toEqual(["event-0", "event-2", "event-1"]);
    await handler(event, realTime(400));
    expect(applied).toHaveLength(3);
  });

  it("does not sleep for a retry past the deadline", async () => {
    let remaining = 5_000;
    const handler = streamHandler({
      pipeline: "p",
      deadlineMarginMs: 1_000,
      retry: {
        maxAttempts: 10,
        baseDelayMs: 3_000,
        random: () => 0.99,
        sleep: async (ms) => {
          remaining -= ms;
        },
      },
      handle: () => {
        throw throttle();
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(
      batchOf(["a", "b"]),
      lambdaContext(() => remaining),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(0) }]);
    expect(remaining).toBeGreaterThanOrEqual(1_000);
  });
});

describe("batch processors", () => {
  it("retries only the failed events and dead-letters permanent ones", async () => {
    const calls: number[][] = [];
    const letters: DeadLetter[] = [];
    const handler = streamHandler({
      pipeline: "p",
      retry: { maxAttempts: 3, ...noSleep },
      processors: [
        {
          name: "bulk",
          async process(events): Promise<RecordResult[]> {
            calls.push(events.map(idx));
            return events.map((event) => {
              if (idx(event) === 1) return { ok: false, error: new PoisonRecordError("bad") };
              if (idx(event) === 2 && calls.length < 2) return { ok: false, error: throttle() };
              return { ok: true };
            });
          },
        },
      ],
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(batchOf(["a", "b", "c", "d"]), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([[0, 1, 2, 3], [2]]);
    expect(letters.map((l) => l.record.eventID)).toEqual(["event-1"]);
  });

  it("reports the lowest unfinished record over all processors", async () => {
    const failAt = (n: number) => ({
      name: `fails-${n}`,
      handle: (event: { meta: { eventId: string } }) => {
        if (idx(event) === n) throw throttle();
      },
    });
    const handler = streamHandler({
      pipeline: "p",
      retry: { maxAttempts: 1, ...noSleep },
      processors: [failAt(3), failAt(1)],
      metrics: false,
      logger: memoryLogger().logger,
    });
    const response = await handler(batchOf(["a", "b", "c", "d"]), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: seqAt(1) }]);
  });
});

describe("checkpoints", () => {
  it("skips records a previous delivery finished, including those after the failed one", async () => {
    const store = new MemoryCheckpointStore();
    const applied: number[] = [];
    let failing = true;
    const handler = streamHandler({
      pipeline: "p",
      processor: "count",
      ordering: "per-item",
      checkpoints: store,
      retry: { maxAttempts: 1, ...noSleep },
      handle: (event) => {
        if (idx(event) === 1 && failing) throw throttle();
        applied.push(idx(event));
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b", "c", "b", "d"]);
    const first = await handler(event, lambdaContext());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: seqAt(1) }]);
    expect(applied.sort()).toEqual([0, 2, 4]);
    failing = false;
    // Lambda redelivers from the reported record.
    const again = { Records: event.Records.slice(1) };
    expect(await handler(again, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(applied.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(store.reads).toBe(2);
    expect(store.writes).toBe(2);
  });

  it("dead-letters an undecodable record once, even when the batch comes back", async () => {
    const letters: DeadLetter[] = [];
    let failing = true;
    const handler = streamHandler({
      pipeline: "p",
      ordering: "per-item",
      checkpoints: new MemoryCheckpointStore(),
      retry: { maxAttempts: 1, ...noSleep },
      handle: (event) => {
        if (idx(event) === 0 && failing) throw throttle();
      },
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b", "c"]);
    event.Records[2] = undecodable(2, "c");
    expect((await handler(event, lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: seqAt(0) },
    ]);
    failing = false;
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(letters.map((l) => l.record.eventID)).toEqual(["event-2"]);
  });

  it("skips a whole batch delivered again after success, without writing", async () => {
    const store = new MemoryCheckpointStore();
    let applied = 0;
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: store,
      handle: () => {
        applied++;
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b", "c"]);
    await handler(event, lambdaContext());
    await handler(event, lambdaContext());
    expect(applied).toBe(3);
    expect(store.writes).toBe(1);
  });

  it("applies records marked as a replay even below the checkpoint, and leaves it unchanged", async () => {
    const store = new MemoryCheckpointStore();
    const applied: string[] = [];
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: store,
      handle: (change) => {
        applied.push(change.meta.eventId);
      },
      metrics: false,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b"]);
    await handler(event, lambdaContext());
    const before = store.snapshot();
    const writesBefore = store.writes;

    const replayed = { ...event, Records: event.Records.slice(0, 1), replay: true };
    expect(await handler(replayed, lambdaContext())).toEqual({ batchItemFailures: [] });

    expect(applied).toEqual(["event-0", "event-1", "event-0"]);
    expect(store.writes).toBe(writesBefore);
    expect(store.snapshot()).toEqual(before);
  });
});

describe("tumbling window events", () => {
  it("passes the window state through unchanged, as Lambda requires, and checkpoints as usual", async () => {
    const store = new MemoryCheckpointStore();
    const handler = streamHandler({
      pipeline: "p",
      checkpoints: store,
      handle: () => {},
      metrics: false,
      logger: memoryLogger().logger,
    });
    const window = { start: "2026-11-21T00:00:00Z", end: "2026-11-21T00:15:00Z" };
    const event = { ...batchOf(["a"]), window, state: { n: 1 }, shardId: "shardId-7" };
    expect(await handler(event, lambdaContext())).toEqual({
      batchItemFailures: [],
      state: { n: 1 },
    });
    expect(store.snapshot().map((watermark) => watermark.sequenceNumber)).toEqual([seqAt(0)]);
  });
});

describe("observability", () => {
  it("logs JSON with eventID, sequence number and processor, and writes EMF metrics", async () => {
    const { logger, lines } = memoryLogger();
    const handler = streamHandler({
      pipeline: "shop",
      processor: "sales",
      retry: { maxAttempts: 1, ...noSleep },
      handle: (event) => {
        if (idx(event) === 1) throw throttle();
      },
      metrics: { namespace: "Shop" },
      logger,
    });
    await handler(
      { Records: [streamRecord({ index: 0, pk: "a" }), streamRecord({ index: 1, pk: "a" })] },
      lambdaContext(),
    );
    const failure = lines.find((l) => l.message === "record failed");
    expect(failure).toMatchObject({
      level: "warn",
      pipeline: "shop",
      processor: "sales",
      eventId: "event-1",
      sequenceNumber: seqAt(1),
      errorClass: "transient",
    });
    const emf = lines.find((l) => l._aws !== undefined) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    };
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe("Shop");
    expect(emf._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining([
        "RecordsProcessed",
        "RecordsFailed",
        "RecordsDeadLettered",
        "RecordsSkipped",
        "BatchDuration",
        "RecordAge",
      ]),
    );
    expect(emf).toMatchObject({ RecordsProcessed: 1, RecordsFailed: 1, pipeline: "shop" });
    expect(emf.RecordAge).toBeGreaterThan(0);
  });
});
