import type { DynamoDBStreamEvent, DynamoDBStreamRecord } from "@sluice/records";
import type { LambdaContext, StreamResponse } from "../src/index.js";

export interface Invocation {
  batch: DynamoDBStreamRecord[];
  response: StreamResponse | undefined;
  /** The handler threw, or reported an identifier not in the batch: Lambda retries it all. */
  batchFailed: boolean;
}

/**
 * One shard read by an event source mapping with ReportBatchItemFailures, as DOMAIN.md describes
 * it: batches in sequence order from the checkpoint; an empty list moves past the batch; otherwise
 * Lambda checkpoints at the lowest reported sequence number and redelivers from there; a thrown
 * error or an identifier not in the batch fails the whole batch. No retry limit, no bisect.
 */
export async function simulateShard(options: {
  records: DynamoDBStreamRecord[];
  batchSize: number;
  handler: (event: DynamoDBStreamEvent, context: LambdaContext) => Promise<StreamResponse>;
  context: () => LambdaContext;
  shardId?: string;
  maxInvocations?: number;
  onInvocation?: (invocation: Invocation) => void;
}): Promise<Invocation[]> {
  const invocations: Invocation[] = [];
  let position = 0;
  while (position < options.records.length) {
    if (invocations.length >= (options.maxInvocations ?? 1_000)) {
      throw new Error(`The shard made no progress in ${invocations.length} invocations.`);
    }
    const batch = options.records.slice(position, position + options.batchSize);
    const event: DynamoDBStreamEvent = {
      Records: structuredClone(batch),
      ...(options.shardId ? { shardId: options.shardId } : {}),
    };
    let response: StreamResponse | undefined;
    try {
      response = await options.handler(event, options.context());
    } catch {
      response = undefined;
    }
    const sequenceNumbers = batch.map((r) => r.dynamodb!.SequenceNumber!);
    const reported = response?.batchItemFailures.map((f) => f.itemIdentifier);
    const batchFailed =
      response === undefined || !reported!.every((id) => sequenceNumbers.includes(id));
    const invocation = { batch, response, batchFailed };
    invocations.push(invocation);
    options.onInvocation?.(invocation);
    if (batchFailed) continue;
    if (reported!.length === 0) {
      position += batch.length;
      continue;
    }
    const lowest = reported!.reduce((a, b) => (BigInt(a) < BigInt(b) ? a : b));
    position += sequenceNumbers.indexOf(lowest);
  }
  return invocations;
}
