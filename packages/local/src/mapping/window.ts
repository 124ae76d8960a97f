import type { DynamoDBRecord } from "aws-lambda";
import { WINDOW_STATE_LIMIT_BYTES } from "./settings.js";
import type { DynamoDBTimeWindowEvent } from "./types.js";

/** An open tumbling window of one shard (of one parallel lane, with ParallelizationFactor). */
export interface OpenWindow {
  startMs: number;
  endMs: number;
  state: Record<string, unknown>;
}

/** Windows are aligned on the epoch and a record belongs to the one holding its creation time. */
export function windowStart(createdAtMs: number, sizeMs: number): number {
  return Math.floor(createdAtMs / sizeMs) * sizeMs;
}

export function openWindow(startMs: number, sizeMs: number): OpenWindow {
  return { startMs, endMs: startMs + sizeMs, state: {} };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

export function windowEvent(
  window: OpenWindow,
  records: DynamoDBRecord[],
  shardId: string,
  eventSourceARN: string,
  flags: { final: boolean; terminatedEarly: boolean },
): DynamoDBTimeWindowEvent {
  return {
    Records: records,
    window: { start: iso(window.startMs), end: iso(window.endMs) },
    state: window.state,
    shardId,
    eventSourceARN,
    isFinalInvokeForWindow: flags.final,
    isWindowTerminatedEarly: flags.terminatedEarly,
  };
}

/** Lambda ends a window early when its state grows past 1 MB. */
export function stateTooLarge(state: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(state ?? {})) > WINDOW_STATE_LIMIT_BYTES;
}
