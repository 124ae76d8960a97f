import type { DynamoDBStreamEvent, DynamoDBStreamRecord } from "@sluice/records";
import { streamRecord as buildRecord } from "@sluice/testing";
import { createLogger, type LambdaContext, type Logger } from "../src/index.js";

/** Sequence numbers wider than a JS number, as real ones are. */
export const seqAt = (i: number): string => (10n ** 25n + BigInt(i) * 1_000n).toString();

export function streamRecord(options: {
  index: number;
  pk: string;
  sk?: string;
  eventName?: "INSERT" | "MODIFY" | "REMOVE";
  value?: number;
}): DynamoDBStreamRecord {
  const keys = { PK: { S: options.pk }, SK: { S: options.sk ?? "ITEM" } };
  return buildRecord({
    index: options.index,
    eventName: options.eventName ?? "INSERT",
    keys,
    newImage: { ...keys, value: { N: String(options.value ?? options.index) } },
    sequenceNumber: seqAt(options.index),
  });
}

/** A batch where record i belongs to item `items[i]`. */
export function batchOf(items: string[]): DynamoDBStreamEvent {
  return { Records: items.map((pk, index) => streamRecord({ index, pk })) };
}

/** A record no decoder accepts: an attribute value of an unknown type. */
export function undecodable(index: number, pk: string): DynamoDBStreamRecord {
  const record = streamRecord({ index, pk });
  record.dynamodb!.NewImage = { PK: { S: pk }, broken: { X: "?" } as never };
  return record;
}

export function lambdaContext(remaining: () => number = () => 60_000): LambdaContext {
  return { getRemainingTimeInMillis: remaining, awsRequestId: "req-1", functionName: "fn" };
}

/** A logger that keeps its lines for assertions. */
export function memoryLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    logger: createLogger({ sink: (line) => lines.push(JSON.parse(line)), level: "debug" }),
    lines,
  };
}

export const noSleep = { sleep: async () => {}, random: () => 0.5 };
