import { useLocalStack } from "@sluice/local/testing";
import { PoisonRecordError, streamHandler } from "@sluice/runtime";
import { describe, expect, it } from "vitest";
import { sqsDeadLetterRouter } from "../src/index.js";
import { streamRecord } from "./fixtures.js";
import { lambdaContext, queueDepth } from "./stream-helpers.js";

const stack = useLocalStack();
const { sqs } = stack.clients;

describe("a router as the runtime's dead-letter hook", () => {
  it("makes the runtime report a record for redelivery when its dead letter cannot be stored", async () => {
    const queue = await stack.createQueue({ attributes: { MaximumMessageSize: "4096" } });
    const big = streamRecord(2);
    big.dynamodb!.NewImage!.notes = { S: "n".repeat(10_000) };
    const lines: string[] = [];
    const handler = streamHandler({
      pipeline: "orders",
      processor: "daily-sales",
      handle: () => {
        throw new PoisonRecordError("cannot apply");
      },
      // No claim check: the big envelope cannot go anywhere.
      deadLetter: sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl, retry: { attempts: 1 } }),
      logger: { sink: (line) => lines.push(line) },
      metrics: false,
    });
    const small = streamRecord(1);
    const response = await handler({ Records: [small, big] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: big.dynamodb!.SequenceNumber }]);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(1);
    expect(lines.join("\n")).toContain(queue.queueUrl);
  });
});
