import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
  type EnvelopeError,
  handlerTarget,
  type ReplayEvent,
  replay,
  sluiceSqsSource,
  toEnvelope,
} from "../src/index.js";
import { deadLetter } from "./fixtures.js";
import { queueDepth } from "./stream-helpers.js";

const stack = useLocalStack();
const { sqs, s3 } = stack.clients;

describe("malformed DLQ messages", () => {
  it("are reported with their reason and left in the queue, never deleted", async () => {
    const queue = await stack.createQueue();
    const { bucketName } = await stack.createBucket();
    const bodies = {
      notJson: "order 42 failed, see logs",
      unknownVersion: JSON.stringify({ ...toEnvelope(deadLetter(1)), v: 9 }),
      missingObject: JSON.stringify({
        v: 1,
        id: "0123456789abcdef0123456789abcdef",
        pipeline: "orders",
        processor: "daily-sales",
        claimCheck: { bucket: bucketName, key: "sluice-claim-check/gone.json", bytes: 300000 },
      }),
      good: JSON.stringify(toEnvelope(deadLetter(2))),
    };
    for (const body of Object.values(bodies)) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: body }));
    }

    const replayed: string[] = [];
    const events: ReplayEvent[] = [];
    const summary = await replay({
      source: sluiceSqsSource({ sqs, s3, queueUrl: queue.queueUrl, waitTimeSeconds: 1 }),
      target: handlerTarget(async (event) => {
        replayed.push(...event.Records.map((r) => r.eventID!));
        return { batchItemFailures: [] };
      }),
      onEvent: (e) => events.push(e),
    });

    expect(summary).toMatchObject({ messages: 4, malformed: 3, replayed: 1 });
    expect(replayed).toEqual(["event-2"]);
    const codes = events
      .filter((e): e is Extract<ReplayEvent, { type: "malformed" }> => e.type === "malformed")
      .map((e) => (e.error as EnvelopeError).code)
      .sort();
    expect(codes).toEqual(["MISSING_PAYLOAD", "NOT_JSON", "UNKNOWN_VERSION"]);

    // The three are back in the queue, unchanged, for a person to look at.
    const left = await stack.receiveMessages(queue.queueUrl, 3);
    expect(left.map((m) => m.Body).sort()).toEqual(
      [bodies.notJson, bodies.unknownVersion, bodies.missingObject].sort(),
    );
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(3);
  });
});
