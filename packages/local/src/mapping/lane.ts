import { setTimeout as sleep } from "node:timers/promises";
import { type BatchRules, isBatchReady, nextBatch } from "./batcher.js";
import type { StreamItem } from "./lambda-event.js";
import {
  type Attempt,
  afterInvocation,
  type Discard,
  firstAttempt,
  splitExpired,
} from "./retry.js";
import type { ResolvedSettings } from "./settings.js";
import type { InvocationOutcome, MappingEvent, MappingLogEntry } from "./types.js";
import { type OpenWindow, openWindow, stateTooLarge, windowEvent, windowStart } from "./window.js";

export interface CallResult {
  requestId: string;
  outcome: InvocationOutcome;
  result: unknown;
}

/** What a lane needs from its shard and mapping. */
export interface LaneHost {
  readonly settings: ResolvedSettings;
  readonly shardId: string;
  readonly streamArn: string;
  clock(): number;
  stopped(): boolean;
  /** True once the shard is closed and read to its end: open windows close then. */
  shardEnded(): boolean;
  invoke(lane: number, event: MappingEvent, items: StreamItem[]): Promise<CallResult>;
  settle(items: StreamItem[]): void;
  discard(lane: number, discard: Discard, lastCall?: CallResult): Promise<void>;
  log(entry: MappingLogEntry): void;
}

function sequenceNumbers(items: readonly StreamItem[]): string[] {
  return items.map((item) => item.sequenceNumber);
}

/**
 * One sequence of batches of a shard. With ParallelizationFactor N a shard has N lanes and each
 * item always goes to the same lane, so its changes stay in order while lanes run concurrently.
 */
export class Lane {
  private queue: StreamItem[] = [];
  private firstQueuedAt = 0;
  private attempts: Attempt[] = [];
  private window: OpenWindow | null = null;
  private running: Promise<void> | null = null;
  private lastFailedCall: CallResult | undefined;
  private readonly rules: BatchRules;

  constructor(
    private readonly host: LaneHost,
    readonly index: number,
  ) {
    const { batchSize, batchingWindowMs, tumblingWindowMs } = host.settings;
    this.rules = {
      batchSize,
      batchingWindowMs,
      windowOf:
        tumblingWindowMs > 0 ? (item) => windowStart(item.createdAtMs, tumblingWindowMs) : null,
    };
  }

  get pending(): number {
    return (
      this.queue.length + this.attempts.reduce((sum, attempt) => sum + attempt.items.length, 0)
    );
  }

  push(items: StreamItem[]): void {
    if (items.length === 0) return;
    if (this.queue.length === 0) this.firstQueuedAt = Date.now();
    this.queue.push(...items);
    this.wake();
  }

  wake(): void {
    if (this.running || this.host.stopped() || !this.hasWork()) return;
    this.running = this.run()
      .catch((error: unknown) => {
        // The next poll wakes the lane again; the error stays visible in the log and stats.
        this.host.log({ type: "poll-error", shardId: this.host.shardId, error: String(error) });
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Nothing queued, nothing running, and no window waiting for its final invocation. */
  idle(): boolean {
    return !this.running && this.pending === 0 && !this.windowDue();
  }

  private hasWork(): boolean {
    return (
      this.attempts.length > 0 ||
      this.windowDue() ||
      isBatchReady(this.queue, this.rules, this.firstQueuedAt, Date.now())
    );
  }

  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private windowDue(): boolean {
    if (!this.window) return false;
    const head = this.queue[0];
    if (head && this.rules.windowOf?.(head) === this.window.startMs) return false;
    return head !== undefined || this.host.shardEnded() || this.host.clock() >= this.window.endMs;
  }

  private async run(): Promise<void> {
    while (!this.host.stopped()) {
      if (this.attempts.length === 0) {
        if (this.windowDue()) {
          await this.closeWindow(false);
          continue;
        }
        if (!this.takeBatch()) return;
      }
      const attempt = this.attempts.shift() as Attempt;
      await this.process(attempt);
    }
  }

  private takeBatch(): boolean {
    if (!isBatchReady(this.queue, this.rules, this.firstQueuedAt, Date.now())) return false;
    const { count } = nextBatch(this.queue, this.rules);
    const items = this.queue.splice(0, count);
    if (this.queue.length > 0) this.firstQueuedAt = Date.now();
    this.host.log({
      type: "batch",
      shardId: this.host.shardId,
      lane: this.index,
      sequenceNumbers: sequenceNumbers(items),
    });
    this.attempts.push(firstAttempt(items));
    return true;
  }

  private buildEvent(items: StreamItem[]): MappingEvent {
    const records = items.map((item) => item.record);
    const size = this.host.settings.tumblingWindowMs;
    if (size === 0) return { Records: records };
    this.window ??= openWindow(windowStart((items[0] as StreamItem).createdAtMs, size), size);
    return windowEvent(this.window, records, this.host.shardId, this.host.streamArn, {
      final: false,
      terminatedEarly: false,
    });
  }

  private async process(attempt: Attempt): Promise<void> {
    const { settings } = this.host;
    const { expired, rest } = splitExpired(attempt, this.host.clock(), settings.maximumRecordAgeMs);
    if (expired) {
      await this.host.discard(
        this.index,
        expired,
        expired.invocations > 0 ? this.lastFailedCall : undefined,
      );
    }
    if (!rest) return;

    const event = this.buildEvent(rest.items);
    const call = await this.host.invoke(this.index, event, rest.items);
    if (this.window && call.outcome.kind !== "failure") {
      this.window.state = (call.result as { state: Record<string, unknown> }).state ?? {};
    }
    this.lastFailedCall = call.outcome.kind === "success" ? undefined : call;

    const step = afterInvocation(
      { ...rest, invocations: rest.invocations + 1 },
      call.outcome,
      settings,
    );
    if (step.succeeded.length > 0) this.host.settle(step.succeeded);
    if (step.discarded) await this.host.discard(this.index, step.discarded, call);
    const { shardId } = this.host;
    if (step.kind === "bisect" && step.next.length === 2) {
      this.host.log({
        type: "bisect",
        shardId,
        lane: this.index,
        halves: [sequenceNumbers(step.next[0]!.items), sequenceNumbers(step.next[1]!.items)],
      });
    }
    if (step.kind === "retry") {
      const retry = step.next[0] as Attempt;
      this.host.log({
        type: "retry",
        shardId,
        lane: this.index,
        attempt: retry.retries,
        sequenceNumbers: sequenceNumbers(retry.items),
        reason: call.outcome.kind === "failure" ? call.outcome.reason : "partial batch failure",
      });
      // Lambda backs off between retries; a poll interval keeps a failing function from spinning.
      await sleep(settings.pollIntervalMs);
    }
    this.attempts.unshift(...step.next);
    if (this.window && stateTooLarge(this.window.state)) await this.closeWindow(true);
  }

  /** The final invocation of a window: no records, the aggregated state, retried until it succeeds. */
  private async closeWindow(terminatedEarly: boolean): Promise<void> {
    const window = this.window as OpenWindow;
    const { settings, shardId, streamArn } = this.host;
    let retries = 0;
    while (!this.host.stopped()) {
      const event = windowEvent(window, [], shardId, streamArn, { final: true, terminatedEarly });
      const call = await this.host.invoke(this.index, event, []);
      if (call.outcome.kind !== "failure") break;
      retries += 1;
      if (settings.maximumRetryAttempts !== -1 && retries > settings.maximumRetryAttempts) break;
      this.host.log({
        type: "retry",
        shardId,
        lane: this.index,
        attempt: retries,
        sequenceNumbers: [],
        reason: call.outcome.reason,
      });
      await sleep(settings.pollIntervalMs);
    }
    this.window = null;
    this.host.log({
      type: "window-closed",
      shardId,
      window: windowEvent(window, [], shardId, streamArn, { final: true, terminatedEarly }).window,
    });
  }
}
