import { useLocalStack } from "@sluice/local/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  entrySize,
  MAX_ENTRIES_PER_CALL,
  MAX_ENTRY_BYTES,
  type Packable,
  packCall,
} from "../src/publish-events/entry-size.js";
import {
  type EventEntry,
  isPermanentFailure,
  putEvents,
  SLUICE_EVENT_ID_KEY,
} from "../src/publish-events/index.js";
import { createTestBus, envelopes, recordingClient, sluiceIds } from "./publish-events.fixtures.js";

const local = useLocalStack();
const SOURCE = "shop.orders";
const noSleep = { sleep: async () => {} };

const entry = (id: string, detail: Record<string, unknown> = {}, key?: string): EventEntry => ({
  id,
  source: SOURCE,
  detailType: "OrderStatusChanged",
  detail: { orderId: id, ...detail },
  time: new Date("2026-11-21T10:00:00Z"),
  ...(key !== undefined && { orderingKey: key }),
});

const idsOf = (call: { Detail?: string }[]) =>
  call.map((e) => (JSON.parse(e.Detail!) as Record<string, string>)[SLUICE_EVENT_ID_KEY]);

/** Detail padding so the entry's size, as EventBridge counts it, is exactly `bytes`. */
function sized(id: string, bytes: number): EventEntry {
  const base = entry(id, { pad: "" });
  const overhead = entrySize({
    Time: base.time!,
    Source: base.source,
    DetailType: base.detailType,
    Detail: JSON.stringify({ ...base.detail, [SLUICE_EVENT_ID_KEY]: id }),
  });
  return entry(id, { pad: "x".repeat(bytes - overhead) });
}

describe("putEvents batching", () => {
  it("puts 25 entries in 3 calls of at most 10, in order, and every one arrives with its id", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local);
    const entries = Array.from({ length: 25 }, (_, i) => entry(`e${i}`));

    const failed = await putEvents({ client, eventBusName: bus.eventBusName }, entries);

    expect(failed).toEqual([]);
    expect(calls.map((call) => call.length)).toEqual([10, 10, 5]);
    expect(calls.flatMap(idsOf)).toEqual(entries.map((e) => e.id));
    const delivered = await bus.receive("all", 25);
    expect(sluiceIds(delivered).sort()).toEqual(entries.map((e) => e.id).sort());
    await bus.expectEmpty("all");
    const first = envelopes(delivered).find((e) => e.detail.orderId === "e0")!;
    expect(first.time).toBe("2026-11-21T10:00:00Z");
    expect(first.source).toBe(SOURCE);
  });

  it("splits by size: entries of 400 KB go two to a call, and the server accepts every call", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local);
    const entries = Array.from({ length: 5 }, (_, i) => sized(`big${i}`, 400 * 1024));

    const failed = await putEvents({ client, eventBusName: bus.eventBusName }, entries);

    expect(failed).toEqual([]);
    expect(calls.map((call) => call.length)).toEqual([2, 2, 1]);
    for (const call of calls) {
      expect(call.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    }
    expect(sluiceIds(await bus.receive("all", 5)).sort()).toEqual(entries.map((e) => e.id).sort());
  });

  it("counts size as the server does: exactly 1 MB is put, one byte more fails at once without a call", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local);
    const atLimit = sized("at-limit", MAX_ENTRY_BYTES);
    const over = sized("over", MAX_ENTRY_BYTES + 1);
    const small = entry("small");

    const failed = await putEvents({ client, eventBusName: bus.eventBusName }, [
      atLimit,
      over,
      small,
    ]);

    expect(failed.map((f) => [f.entry.id, f.code])).toEqual([["over", "EntryTooLarge"]]);
    expect(failed[0]!.message).toContain(`${MAX_ENTRY_BYTES + 1} bytes`);
    expect(isPermanentFailure(failed[0]!)).toBe(true);
    expect(calls.map(idsOf)).toEqual([["at-limit"], ["small"]]);
    // The server took the 1 MB event, but its envelope is over SQS's 1 MiB message limit, so
    // the queue target cannot receive it (as in AWS): only the small one arrives.
    expect(sluiceIds(await bus.receive("all", 1))).toEqual(["small"]);
    await bus.expectEmpty("all");
  });

  /** Every call `packCall` makes when each call is accepted whole. */
  const allCalls = <T extends Packable>(items: T[]) => {
    const calls: T[][] = [];
    for (let rest = items; rest.length > 0; ) {
      const call = packCall(rest);
      calls.push(call);
      rest = rest.filter((item) => !call.includes(item));
    }
    return calls;
  };

  it("packs any sequence into calls of at most 10 entries and 1 MB, greedily, keeping the order", () => {
    const sizes = fc.array(fc.integer({ min: 1, max: MAX_ENTRY_BYTES }), { maxLength: 60 });
    fc.assert(
      fc.property(sizes, (list) => {
        const items = list.map((size, index) => ({ size, index }));
        const calls = allCalls(items);
        expect(calls.flat()).toEqual(items);
        calls.forEach((call, i) => {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_CALL);
          const bytes = call.reduce((sum, item) => sum + item.size, 0);
          expect(bytes).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
          const next = calls[i + 1]?.[0];
          // Greedy: a call closes only when the next entry would not fit.
          if (next && call.length < MAX_ENTRIES_PER_CALL) {
            expect(bytes + next.size).toBeGreaterThan(MAX_ENTRY_BYTES);
          }
        });
      }),
    );
  });

  it("puts one entry per key in a call, each key's entries in order, every entry once", () => {
    const items = fc.array(
      fc.record({
        size: fc.integer({ min: 1, max: 300 * 1024 }),
        key: fc.option(fc.constantFrom("a", "b", "c", "d"), { nil: undefined }),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(items, (list) => {
        const indexed = list.map((item, index) => ({ ...item, index }));
        const calls = allCalls(indexed);
        expect(
          calls
            .flat()
            .map((item) => item.index)
            .sort((x, y) => x - y),
        ).toEqual(indexed.map((item) => item.index));
        for (const call of calls) {
          const keys = call.flatMap((item) => (item.key === undefined ? [] : [item.key]));
          expect(new Set(keys).size).toBe(keys.length);
        }
        for (const key of ["a", "b", "c", "d"]) {
          const order = calls.flat().filter((item) => item.key === key);
          expect(order.map((item) => item.index)).toEqual(
            indexed.filter((item) => item.key === key).map((item) => item.index),
          );
        }
      }),
    );
  });
});

describe("putEvents retries", () => {
  it("retries only the entries that failed with throttling or an internal failure", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local, {
      entry: (e, call) => {
        if (call !== 1) return undefined;
        const id = idsOf([e])[0];
        return id === "e2" ? "ThrottlingException" : id === "e5" ? "InternalFailure" : undefined;
      },
    });
    const entries = Array.from({ length: 8 }, (_, i) => entry(`e${i}`));

    const failed = await putEvents(
      { client, eventBusName: bus.eventBusName, retry: noSleep },
      entries,
    );

    expect(failed).toEqual([]);
    expect(calls.map(idsOf)).toEqual([entries.map((e) => e.id), ["e2", "e5"]]);
    const delivered = sluiceIds(await bus.receive("all", 8));
    expect(delivered.sort()).toEqual(entries.map((e) => e.id).sort());
    await bus.expectEmpty("all");
  });

  it("gives up on a validation error at once and returns it, while the rest are put", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local);
    // The server itself rejects an entry without a DetailType.
    const invalid = { ...entry("no-type"), detailType: "" };

    const failed = await putEvents({ client, eventBusName: bus.eventBusName, retry: noSleep }, [
      entry("a"),
      invalid,
      entry("b"),
    ]);

    expect(failed.map((f) => [f.entry.id, f.code])).toEqual([["no-type", "InvalidArgument"]]);
    expect(isPermanentFailure(failed[0]!)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(sluiceIds(await bus.receive("all", 2)).sort()).toEqual(["a", "b"]);
    await bus.expectEmpty("all");
  });

  it("stops after maxAttempts with a bounded, growing backoff, and returns the entry as transient", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local, {
      entry: (e) => (idsOf([e])[0] === "stuck" ? "ThrottlingException" : undefined),
    });
    const delays: number[] = [];

    const failed = await putEvents(
      {
        client,
        eventBusName: bus.eventBusName,
        retry: {
          maxAttempts: 4,
          baseDelayMs: 100,
          maxDelayMs: 250,
          random: () => 0.999,
          sleep: async (ms) => {
            delays.push(ms);
          },
        },
      },
      [entry("ok"), entry("stuck")],
    );

    expect(failed.map((f) => [f.entry.id, f.code])).toEqual([["stuck", "ThrottlingException"]]);
    expect(isPermanentFailure(failed[0]!)).toBe(false);
    expect(calls.map(idsOf)).toEqual([["ok", "stuck"], ["stuck"], ["stuck"], ["stuck"]]);
    expect(delays).toEqual([99, 199, 249]);
    expect(sluiceIds(await bus.receive("all", 1))).toEqual(["ok"]);
    await bus.expectEmpty("all");
  });

  it("after a lost response, puts the call again: copies carry the same id and a new EventBridge id", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls, lostCalls } = recordingClient(local, {
      loseResponse: (call) => call === 1,
    });
    const entries = [entry("x"), entry("y")];

    const failed = await putEvents(
      { client, eventBusName: bus.eventBusName, retry: noSleep },
      entries,
    );

    expect(failed).toEqual([]);
    expect(lostCalls).toEqual([1]);
    expect(calls.map(idsOf)).toEqual([
      ["x", "y"],
      ["x", "y"],
    ]);
    const delivered = envelopes(await bus.receive("all", 4));
    expect(delivered.map((e) => e.detail[SLUICE_EVENT_ID_KEY]).sort()).toEqual([
      "x",
      "x",
      "y",
      "y",
    ]);
    // EventBridge's own id differs per put: only the sluice id recognises the copy.
    expect(new Set(delivered.map((e) => e.id)).size).toBe(4);
  });

  it("stops when the invocation's signal aborts: the entries come back failed for now, unsent", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, received } = recordingClient(local);
    const deadline = new AbortController();
    deadline.abort();

    const failed = await putEvents(
      { client, eventBusName: bus.eventBusName, retry: noSleep, signal: deadline.signal },
      [entry("a", {}, "A"), entry("a2", {}, "A"), entry("b")],
    );

    expect(failed.map((f) => f.entry.id)).toEqual(["a", "a2", "b"]);
    expect(failed.map((f) => f.code)).toContain("PrecedingEntryFailed");
    expect(failed.some(isPermanentFailure)).toBe(false);
    expect(received).toEqual([]);
  });

  it("rejects a detail that sets the reserved id key to another value, without a call", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local);
    const clash = entry("mine", { [SLUICE_EVENT_ID_KEY]: "theirs" });

    const failed = await putEvents({ client, eventBusName: bus.eventBusName }, [clash]);

    expect(failed.map((f) => f.code)).toEqual(["ReservedDetailKey"]);
    expect(isPermanentFailure(failed[0]!)).toBe(true);
    expect(calls).toEqual([]);
  });
});

describe("putEvents ordering keys", () => {
  it("sends an entry only after the previous one of its key was accepted, so they arrive in order", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local, {
      entry: (e, call) => (call === 1 && idsOf([e])[0] === "a1" ? "InternalFailure" : undefined),
    });
    // a1 fails in the first call; a2 waits for it while b goes on.
    const others = Array.from({ length: 9 }, (_, i) => entry(`o${i}`, {}, `other${i}`));
    const entries = [entry("a1", {}, "A"), ...others, entry("a2", {}, "A"), entry("b", {}, "B")];

    const failed = await putEvents(
      { client, eventBusName: bus.eventBusName, retry: noSleep },
      entries,
    );

    expect(failed).toEqual([]);
    expect(calls.map(idsOf)).toEqual([["a1", ...others.map((o) => o.id)], ["b"], ["a1"], ["a2"]]);
    const delivered = sluiceIds(await bus.receive("all", 12));
    expect(delivered.filter((id) => id.startsWith("a"))).toEqual(["a1", "a2"]);
  });

  it("after its key's entry gave up, returns the later entries unsent as PrecedingEntryFailed", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client, calls } = recordingClient(local, {
      entry: (e) => (idsOf([e])[0] === "a1" ? "ThrottlingException" : undefined),
    });

    const failed = await putEvents(
      { client, eventBusName: bus.eventBusName, retry: { ...noSleep, maxAttempts: 2 } },
      [entry("a1", {}, "A"), entry("b1", {}, "B"), entry("a2", {}, "A")],
    );

    expect(failed.map((f) => [f.entry.id, f.code])).toEqual([
      ["a1", "ThrottlingException"],
      ["a2", "PrecedingEntryFailed"],
    ]);
    expect(isPermanentFailure(failed[1]!)).toBe(false);
    expect(calls.map(idsOf)).toEqual([["a1", "b1"], ["a1"]]);
    expect(sluiceIds(await bus.receive("all", 1))).toEqual(["b1"]);
    await bus.expectEmpty("all");
  });

  it("lets later entries of a key go on after a permanent failure of an earlier one", async () => {
    const bus = await createTestBus(local, SOURCE);
    const { client } = recordingClient(local, {
      entry: (e) => (idsOf([e])[0] === "a1" ? "InvalidArgument" : undefined),
    });

    const failed = await putEvents({ client, eventBusName: bus.eventBusName, retry: noSleep }, [
      entry("a1", {}, "A"),
      entry("a2", {}, "A"),
    ]);

    expect(failed.map((f) => [f.entry.id, f.code])).toEqual([["a1", "InvalidArgument"]]);
    expect(sluiceIds(await bus.receive("all", 1))).toEqual(["a2"]);
    await bus.expectEmpty("all");
  });
});
