import { randomUUID } from "node:crypto";
import { compareSequenceNumbers, type DynamoDBStreamEvent } from "@sluice/records";
import type { ReplayRecord, ReplayTarget } from "../types.js";

/** A Lambda handler for a DynamoDB stream, such as one made with the runtime's `streamHandler`. */
export type StreamLambdaHandler = (
  event: DynamoDBStreamEvent,
  context: LambdaLikeContext,
) => Promise<unknown>;

interface BatchResponse {
  batchItemFailures?: { itemIdentifier?: string }[];
}

export interface LambdaLikeContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
  [key: string]: unknown;
}

export interface HandlerTargetOptions {
  /** Time the handler believes it has per call. Default 15 minutes, Lambda's maximum. */
  timeoutMs?: number;
  functionName?: string;
}

/**
 * Runs records through a handler in this process, one event per source message, with Lambda's
 * rules for the answer: a thrown error fails every record, and a reported failure fails that
 * record and every later one.
 */
export function handlerTarget(
  handler: StreamLambdaHandler,
  options: HandlerTargetOptions = {},
): ReplayTarget {
  const functionName = options.functionName ?? "sluice-replay";
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  return {
    describe: `handler ${functionName}`,
    async deliver(records: ReplayRecord[]) {
      const deadline = Date.now() + timeoutMs;
      const context: LambdaLikeContext = {
        functionName,
        awsRequestId: randomUUID(),
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      };
      let response: BatchResponse | undefined;
      try {
        response = (await handler(
          { Records: records.map((r) => r.record), replay: true },
          context,
        )) as BatchResponse | undefined;
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return new Map(records.map((r) => [r.id, reason]));
      }
      return failuresOf(records, response?.batchItemFailures ?? []);
    },
  };
}

function failuresOf(
  records: ReplayRecord[],
  reported: { itemIdentifier?: string }[],
): Map<string, string> {
  const failed = new Map<string, string>();
  if (reported.length === 0) return failed;
  const sequences = records.map((r) => r.record.dynamodb?.SequenceNumber);
  const known = reported.every((f) => f.itemIdentifier && sequences.includes(f.itemIdentifier));
  if (!known) {
    // Lambda fails the whole batch on an empty or unknown identifier.
    for (const r of records) failed.set(r.id, "handler reported an unknown itemIdentifier");
    return failed;
  }
  const lowest = reported
    .map((f) => f.itemIdentifier as string)
    .reduce((a, b) => (compareSequenceNumbers(a, b) <= 0 ? a : b));
  for (const r of records) {
    const sequence = r.record.dynamodb?.SequenceNumber as string;
    if (compareSequenceNumbers(sequence, lowest) >= 0) {
      failed.set(
        r.id,
        compareSequenceNumbers(sequence, lowest) === 0
          ? "handler reported it failed"
          : `after failed ${lowest}`,
      );
    }
  }
  return failed;
}
