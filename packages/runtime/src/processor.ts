import type { TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { ChangeEvent, Item } from "@sluice/records";
import type { Logger } from "./logger.js";

/** The parts of Lambda's context the runtime reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
  functionName?: string;
}

export interface ProcessContext {
  pipeline: string;
  processor: string;
  /** 1 on the first try in this invocation. */
  attempt: number;
  /** Aborts when the invocation nears its deadline. */
  signal: AbortSignal;
  log: Logger;
  lambda?: LambdaContext;
  /**
   * With a DynamoDB checkpoint store, batch processors get this: it writes `writes` and moves
   * the checkpoint over `events` in one TransactWriteItems, so the effect and the checkpoint
   * land together or not at all. Call it only for events whose result is ok.
   */
  commit?: (writes: TransactWriteItem[], events: ChangeEvent<unknown>[]) => Promise<void>;
}

export type RecordResult = { ok: true } | { ok: false; error: unknown };

/** Handles one change at a time; the runtime orders, retries and classifies. */
export interface RecordProcessor<T = Item> {
  name: string;
  handle(event: ChangeEvent<T>, ctx: ProcessContext): unknown;
}

/**
 * Handles the batch at once (to pre-aggregate or bulk-write) and returns one result per event,
 * in the order received. Events arrive in sequence order; when a change of an item fails, report
 * that item's later changes as failed too. Failed events come back in the next attempt.
 */
export interface BatchProcessor<T = Item> {
  name: string;
  process(events: ChangeEvent<T>[], ctx: ProcessContext): Promise<RecordResult[]>;
  /**
   * `"on-conflict"`, for a processor whose every effect goes through `ctx.commit` with a
   * DynamoDB checkpoint store: the runtime skips the up-front read of the items' watermarks, so
   * a first delivery costs one request (the commit). A commit that a watermark already covers
   * is refused; the runtime then reads the watermarks, drops the covered events and calls
   * `process` again with the rest. Default `"before"`: read first, then process.
   */
  checkpointRead?: "before" | "on-conflict";
}

export type Processor<T = Item> = RecordProcessor<T> | BatchProcessor<T>;

export const isBatchProcessor = <T>(p: Processor<T>): p is BatchProcessor<T> =>
  typeof (p as BatchProcessor<T>).process === "function";
