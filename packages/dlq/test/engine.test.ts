import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EnvelopeError,
  fileProgress,
  handlerTarget,
  type ReplayEvent,
  type ReplayRecord,
  type ReplaySource,
  replay,
  type SourceMessage,
} from "../src/index.js";
import { streamRecord } from "./fixtures.js";

/** A source kept in memory: what the engine deletes and leaves is visible to the test. */
function memorySource(messages: Record<string, ReplayRecord[] | Error>) {
  const remaining = new Set(Object.keys(messages));
  const source: ReplaySource = {
    describe: "memory",
    async *messages(signal) {
      for (const ref of Object.keys(messages)) {
        if (signal?.aborted || !remaining.has(ref)) continue;
        const content = messages[ref]!;
        const message: SourceMessage = {
          ref,
          load: async () => {
            if (content instanceof Error) throw content;
            return content;
          },
          complete: async () => {
            remaining.delete(ref);
          },
          release: async () => {},
        };
        yield message;
      }
    },
  };
  return { source, remaining };
}

function item(n: number, meta: ReplayRecord["meta"] = {}): ReplayRecord {
  return { id: `id-${n}`, record: streamRecord(n), meta };
}

/** A handler that records what it saw and fails records whose number is listed. */
function recordingHandler(failing: Set<number> = new Set()) {
  const seen: string[] = [];
  const handler = async (event: { Records: ReturnType<typeof streamRecord>[] }) => {
    const failures = [];
    for (const record of event.Records) {
      const n = Number(record.eventID?.split("-")[1]);
      seen.push(record.eventID!);
      if (failing.has(n)) failures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! });
    }
    return { batchItemFailures: failures };
  };
  return { seen, target: handlerTarget(handler) };
}

describe("replay engine", () => {
  it("replays every record and deletes each message after its records succeeded", async () => {
    const { source, remaining } = memorySource({ m1: [item(1)], m2: [item(2), item(3)] });
    const { seen, target } = recordingHandler();
    const summary = await replay({ source, target });
    expect(seen).toEqual(["event-1", "event-2", "event-3"]);
    expect(summary).toMatchObject({ messages: 2, replayed: 3, failedAgain: 0, skipped: 0 });
    expect(remaining.size).toBe(0);
  });

  it("leaves a message whose record failed again, with Lambda's rule for later records", async () => {
    const { source, remaining } = memorySource({ m1: [item(1), item(2), item(3)], m2: [item(4)] });
    const { target } = recordingHandler(new Set([2]));
    const events: ReplayEvent[] = [];
    const summary = await replay({ source, target, onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ replayed: 2, failedAgain: 2 });
    expect(events.filter((e) => e.type === "failed-again").map((e) => "id" in e && e.id)).toEqual([
      "id-2",
      "id-3",
    ]);
    expect([...remaining]).toEqual(["m1"]);
  });

  it("fails every record of a message when the handler throws", async () => {
    const { source, remaining } = memorySource({ m1: [item(1), item(2)] });
    const target = handlerTarget(async () => {
      throw new Error("still broken");
    });
    const summary = await replay({ source, target });
    expect(summary).toMatchObject({ replayed: 0, failedAgain: 2 });
    expect(remaining.has("m1")).toBe(true);
  });

  it("reports malformed messages and leaves them in place", async () => {
    const { source, remaining } = memorySource({
      bad: new EnvelopeError("NOT_JSON", "not json"),
      good: [item(1)],
    });
    const events: ReplayEvent[] = [];
    const summary = await replay({
      source,
      target: recordingHandler().target,
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ malformed: 1, replayed: 1 });
    expect(events.find((e) => e.type === "malformed")).toMatchObject({ ref: "bad" });
    expect([...remaining]).toEqual(["bad"]);
  });

  it("skips filtered records and keeps their message", async () => {
    const { source, remaining } = memorySource({
      m1: [item(1, { processor: "daily-sales" })],
      m2: [item(2, { processor: "search" })],
    });
    const { seen, target } = recordingHandler();
    const summary = await replay({ source, target, filter: { processors: ["daily-sales"] } });
    expect(seen).toEqual(["event-1"]);
    expect(summary).toMatchObject({ replayed: 1, skipped: 1 });
    expect([...remaining]).toEqual(["m2"]);
  });

  it("changes nothing in a dry run and reports what it would replay", async () => {
    const { source, remaining } = memorySource({ m1: [item(1)], m2: [item(2)] });
    const { seen, target } = recordingHandler();
    const events: ReplayEvent[] = [];
    const summary = await replay({ source, target, dryRun: true, onEvent: (e) => events.push(e) });
    expect(seen).toEqual([]);
    expect(summary).toMatchObject({ wouldReplay: 2, replayed: 0 });
    expect(events.filter((e) => e.type === "would-replay")).toHaveLength(2);
    expect(remaining.size).toBe(2);
  });

  it("resumes from a progress file: records done before a crash are not applied again", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-replay-"));
    const path = join(dir, "progress.jsonl");
    const messages = { m1: [item(1)], m2: [item(2)], m3: [item(3)] };
    // The first run took record 1, then died before deleting its message.
    const crashed = await fileProgress(path);
    await crashed.add("id-1");
    await crashed.close?.();
    const { source, remaining } = memorySource(messages);
    const { seen, target } = recordingHandler();
    const summary = await replay({ source, target, progress: await fileProgress(path) });
    expect(seen).toEqual(["event-2", "event-3"]);
    expect(summary).toMatchObject({ replayed: 2, skipped: 1 });
    expect(remaining.size).toBe(0);
    const ids = (await readFile(path, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(ids).toEqual(["id-1", "id-2", "id-3"]);
  });

  it("reads a progress file whose last line a crash cut short", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-replay-"));
    const path = join(dir, "progress.jsonl");
    await writeFile(path, '{"id":"id-1","at":"x"}\n{"id":"id-');
    const progress = await fileProgress(path);
    expect(progress.has("id-1")).toBe(true);
    await progress.add("id-2");
    await progress.close?.();
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines.filter((l) => l.startsWith('{"id":"id-2"'))).toHaveLength(1);
    const reread = await fileProgress(path);
    expect(reread.has("id-2")).toBe(true);
  });

  it("stops before the next message when aborted, leaving the rest in place", async () => {
    const { source, remaining } = memorySource({ m1: [item(1)], m2: [item(2)], m3: [item(3)] });
    const { seen, target } = recordingHandler();
    const abort = new AbortController();
    const summary = await replay({
      source,
      target,
      signal: abort.signal,
      onEvent: (e) => {
        if (e.type === "replayed") abort.abort();
      },
    });
    expect(seen).toEqual(["event-1"]);
    expect(summary.aborted).toBe(true);
    expect([...remaining]).toEqual(["m2", "m3"]);
  });
});
