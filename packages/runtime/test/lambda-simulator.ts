import type { DynamoDBStreamEvent, DynamoDBStreamRecord } from "@sluice/records";
import { seededRandom } from "@sluice/testing";
import type { LambdaContext, StreamResponse } from "../src/index.js";

export interface Invocation {
  batch: DynamoDBStreamRecord[];
  response: StreamResponse | undefined;
  /** The handler threw, or reported an identifier not in the batch: Lambda retries it all. */
  batchFailed: boolean;
  /** Lambda acts as if the response never came (a timeout or a lost response) and sends it all again. */
  responseLost: boolean;
}

/** How freely the simulated mapping chooses what it sends next, within what Lambda may do. */
export interface Delivery {
  /** ParallelizationFactor: records go to a lane by item; lanes interleave. Default 1. */
  lanes?: number;
  /** BisectBatchOnFunctionError: a batch whose first record failed is split in halves. */
  bisect?: boolean;
  /** Redeliveries come in batches of random size (a changed BatchSize, bisected quarters). */
  resize?: boolean;
  /** Chance that a successful response is lost and the whole batch comes again. */
  lostResponses?: number;
  /** Seeds the random choices above. */
  seed?: number;
}

/**
 * A stream read by an event source mapping with ReportBatchItemFailures, as DOMAIN.md describes
 * it, made adversarial where Lambda leaves room: each lane sends batches in sequence order; an
 * empty list moves past the batch; a reported record makes Lambda send the rest again from that
 * record, as one batch or (resize) several, or (bisect, when it is the first) as two halves,
 * first half first; a thrown error, an identifier not in the batch or a lost response sends the
 * batch again. No retry limit: every record is eventually finished.
 */
export async function simulateStream(options: {
  records: DynamoDBStreamRecord[];
  batchSize: number;
  handler: (event: DynamoDBStreamEvent, context: LambdaContext) => Promise<StreamResponse>;
  context: () => LambdaContext;
  laneOf?: (record: DynamoDBStreamRecord) => number;
  delivery?: Delivery;
  shardId?: string;
  maxInvocations?: number;
  onInvocation?: (invocation: Invocation) => void;
}): Promise<Invocation[]> {
  const delivery = options.delivery ?? {};
  const next = seededRandom(delivery.seed ?? 1);
  const laneCount = delivery.lanes ?? 1;
  const lanes = Array.from({ length: laneCount }, () => ({
    records: [] as DynamoDBStreamRecord[],
    read: 0,
    pending: [] as DynamoDBStreamRecord[][],
  }));
  for (const record of options.records) {
    lanes[(options.laneOf?.(record) ?? 0) % laneCount]!.records.push(record);
  }
  const sizeOf = () =>
    delivery.resize ? 1 + Math.floor(next() * options.batchSize) : options.batchSize;
  /** The rest of a batch to send again, cut as Lambda may cut it; the first piece goes first. */
  const again = (rest: DynamoDBStreamRecord[]): DynamoDBStreamRecord[][] => {
    const pieces: DynamoDBStreamRecord[][] = [];
    for (let at = 0; at < rest.length; ) {
      const size = delivery.resize ? sizeOf() : rest.length;
      pieces.push(rest.slice(at, at + size));
      at += size;
    }
    return pieces;
  };

  const invocations: Invocation[] = [];
  for (;;) {
    const busy = lanes.filter((lane) => lane.pending.length > 0 || lane.read < lane.records.length);
    if (busy.length === 0) return invocations;
    if (invocations.length >= (options.maxInvocations ?? 2_000)) {
      throw new Error(`The stream made no progress in ${invocations.length} invocations.`);
    }
    const lane = busy[Math.floor(next() * busy.length)]!;
    let batch = lane.pending.shift();
    if (!batch) {
      batch = lane.records.slice(lane.read, lane.read + sizeOf());
      lane.read += batch.length;
    }
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
    const responseLost = !batchFailed && next() < (delivery.lostResponses ?? 0);
    const invocation = { batch, response, batchFailed, responseLost };
    invocations.push(invocation);
    options.onInvocation?.(invocation);
    if (batchFailed || responseLost) {
      lane.pending.unshift(...again(batch));
      continue;
    }
    if (reported!.length === 0) continue;
    const lowest = reported!.reduce((a, b) => (BigInt(a) < BigInt(b) ? a : b));
    const from = sequenceNumbers.indexOf(lowest);
    const rest = batch.slice(from);
    if (delivery.bisect && from === 0 && rest.length > 1) {
      const half = Math.ceil(rest.length / 2);
      lane.pending.unshift(rest.slice(0, half), rest.slice(half));
    } else {
      lane.pending.unshift(...again(rest));
    }
  }
}
