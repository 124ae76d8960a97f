import { useLocalStack } from "@sluice/local/testing";
import { MemoryCheckpointStore, PoisonRecordError, streamHandler } from "@sluice/runtime";
import { describe, expect, it } from "vitest";
import { handlerTarget, replay, sluiceSqsSource, sqsDeadLetterRouter } from "../src/index.js";
import { streamRecord } from "./fixtures.js";
import { lambdaContext, queueDepth } from "./stream-helpers.js";

const stack = useLocalStack();
const { sqs, s3 } = stack.clients;
const quiet = { logger: { sink: () => {} }, metrics: false as const };

describe("replay through a handler that keeps checkpoints", () => {
  it("applies the dead-lettered record although the checkpoint counts it as finished", async () => {
    const queue = await stack.createQueue();
    const checkpoints = new MemoryCheckpointStore();
    let fixed = false;
    const applied: string[] = [];
    // One handler, as deployed: the same checkpoint store before and after the fix.
    const handler = streamHandler({
      pipeline: "orders",
      processor: "daily-sales",
      checkpoints,
      handle: (change) => {
        if (!fixed) throw new PoisonRecordError("cannot apply yet");
        applied.push(change.meta.eventId);
      },
      deadLetter: sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl }),
      ...quiet,
    });
    const record = streamRecord(1);
    expect(await handler({ Records: [record] }, lambdaContext())).toEqual({
      batchItemFailures: [],
    });
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(1);

    fixed = true;
    const source = sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 });
    const summary = await replay({ source, target: handlerTarget(handler) });

    expect(summary).toMatchObject({ replayed: 1, failedAgain: 0 });
    expect(applied).toEqual([record.eventID]);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
  });
});
