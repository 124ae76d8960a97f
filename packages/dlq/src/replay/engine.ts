import { EnvelopeError, RecordsExpiredError } from "../errors.js";
import { matches, type ReplayFilter } from "./filter.js";
import { memoryProgress, type ProgressStore } from "./progress.js";
import { rateLimiter } from "./rate-limit.js";
import type { ReplayRecord, ReplaySource, ReplayTarget, SourceMessage } from "./types.js";

export interface ReplayOptions {
  source: ReplaySource;
  target: ReplayTarget;
  /** Default: in memory, so a crashed run starts over. Pass `fileProgress(path)` to resume. */
  progress?: ProgressStore;
  filter?: ReplayFilter;
  /** Records per second. Default: unlimited. */
  ratePerSecond?: number;
  /** Reads and filters, reports what would be replayed, and changes nothing. */
  dryRun?: boolean;
  /** Stops before the next message; messages in hand stay in the source. */
  signal?: AbortSignal;
  onEvent?: (event: ReplayEvent) => void;
}

export type ReplayEvent =
  | { type: "replayed"; ref: string; id: string }
  | { type: "would-replay"; ref: string; record: ReplayRecord }
  | { type: "skipped"; ref: string; id: string; reason: "already-replayed" | "filtered" }
  | { type: "failed-again"; ref: string; id: string; reason: string }
  | { type: "expired"; ref: string; records: number; error: RecordsExpiredError }
  | { type: "malformed"; ref: string; error: EnvelopeError }
  | { type: "message-done"; ref: string; deleted: boolean };

export interface ReplaySummary {
  messages: number;
  replayed: number;
  /** Dry run: records that a real run would replay. */
  wouldReplay: number;
  skipped: number;
  failedAgain: number;
  expired: number;
  malformed: number;
  aborted: boolean;
}

/**
 * Replays every record of a source into a target. A source message is deleted only after each of
 * its records was replayed (now or in an earlier run); anything else leaves it in place.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { source, target, filter, signal } = options;
  const progress = options.progress ?? memoryProgress();
  const pace = options.ratePerSecond ? rateLimiter(options.ratePerSecond) : undefined;
  const emit = options.onEvent ?? (() => {});
  const summary: ReplaySummary = {
    messages: 0,
    replayed: 0,
    wouldReplay: 0,
    skipped: 0,
    failedAgain: 0,
    expired: 0,
    malformed: 0,
    aborted: false,
  };

  const handle = async (message: SourceMessage): Promise<boolean> => {
    const { ref } = message;
    if (message.ids && message.ids.length > 0 && message.ids.every((id) => progress.has(id))) {
      for (const id of message.ids) {
        summary.skipped++;
        emit({ type: "skipped", ref, id, reason: "already-replayed" });
      }
      return !options.dryRun;
    }
    let records: ReplayRecord[];
    try {
      records = await message.load();
    } catch (error) {
      if (error instanceof EnvelopeError) {
        summary.malformed++;
        emit({ type: "malformed", ref, error });
        return false;
      }
      if (error instanceof RecordsExpiredError) {
        const count = Math.max(error.expected ?? 1, error.found);
        summary.expired += count;
        emit({ type: "expired", ref, records: count, error });
        return false;
      }
      throw error;
    }
    const pending: ReplayRecord[] = [];
    let complete = true;
    for (const record of records) {
      if (progress.has(record.id)) {
        summary.skipped++;
        emit({ type: "skipped", ref, id: record.id, reason: "already-replayed" });
      } else if (!matches(filter, record)) {
        summary.skipped++;
        complete = false;
        emit({ type: "skipped", ref, id: record.id, reason: "filtered" });
      } else {
        pending.push(record);
      }
    }
    if (options.dryRun) {
      for (const record of pending) {
        summary.wouldReplay++;
        emit({ type: "would-replay", ref, record });
      }
      return false;
    }
    if (pending.length > 0) {
      await pace?.(pending.length);
      const failed = await target.deliver(pending);
      for (const record of pending) {
        const reason = failed.get(record.id);
        if (reason === undefined) {
          await progress.add(record.id);
          summary.replayed++;
          emit({ type: "replayed", ref, id: record.id });
        } else {
          summary.failedAgain++;
          complete = false;
          emit({ type: "failed-again", ref, id: record.id, reason });
        }
      }
    }
    return complete;
  };

  try {
    for await (const message of source.messages(signal)) {
      if (signal?.aborted) {
        summary.aborted = true;
        await message.release();
        break;
      }
      summary.messages++;
      let done = false;
      try {
        done = await handle(message);
      } finally {
        if (done) await message.complete();
        else await message.release();
        emit({ type: "message-done", ref: message.ref, deleted: done });
      }
    }
    if (signal?.aborted) summary.aborted = true;
  } finally {
    await source.close?.();
    await progress.close?.();
  }
  return summary;
}
