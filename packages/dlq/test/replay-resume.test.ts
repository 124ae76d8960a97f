import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
  fileProgress,
  handlerTarget,
  replay,
  sluiceSqsSource,
  sqsDeadLetterRouter,
} from "../src/index.js";
import { deadLetter } from "./fixtures.js";
import { queueDepth } from "./stream-helpers.js";

const stack = useLocalStack();
const { sqs, s3 } = stack.clients;

describe("a replay killed halfway", () => {
  it("processes each record once when restarted with its progress file", async () => {
    const queue = await stack.createQueue();
    await sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl })(
      Array.from({ length: 12 }, (_, i) => deadLetter(i)),
    );
    const path = join(await mkdtemp(join(tmpdir(), "sluice-resume-")), "progress.jsonl");
    const applied = new Map<string, number>();
    const target = handlerTarget(async (event) => {
      for (const r of event.Records) applied.set(r.eventID!, (applied.get(r.eventID!) ?? 0) + 1);
      return { batchItemFailures: [] };
    });
    const source = () => sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 });

    const kill = new AbortController();
    const first = await replay({
      source: source(),
      target,
      progress: await fileProgress(path),
      signal: kill.signal,
      onEvent: (e) => {
        if (e.type === "replayed" && applied.size === 5) kill.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.replayed).toBe(5);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(7);

    const second = await replay({ source: source(), target, progress: await fileProgress(path) });
    expect(second).toMatchObject({ replayed: 7, aborted: false });
    expect(applied.size).toBe(12);
    expect([...applied.values()].every((count) => count === 1)).toBe(true);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
  });
});
