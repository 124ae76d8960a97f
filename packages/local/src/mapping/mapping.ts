import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { FailureDestinationPayload } from "@sluice/records";
import type { DynamoDBRecord } from "aws-lambda";
import { compilePattern } from "../pattern.js";
import { buildFailureRecord, DestinationSender, parseDestination } from "./destination.js";
import { Invoker } from "./invoker.js";
import { type StreamItem, toStreamItem } from "./lambda-event.js";
import type { CallResult } from "./lane.js";
import { describeShards, ShardReader } from "./poller.js";
import type { Discard } from "./retry.js";
import { type ResolvedSettings, resolveSettings } from "./settings.js";
import { type MappingRuntime, ShardProcessor } from "./shard.js";
import type {
  EventSourceMappingOptions,
  InvocationLog,
  MappingEvent,
  MappingLogEntry,
  MappingStats,
} from "./types.js";

interface ShardState {
  shardId: string;
  parentShardId?: string;
  status: "waiting" | "reading" | "finished";
  reader?: ShardReader;
  processor?: ShardProcessor;
}

interface IdleWaiter {
  afterRound: number;
  resolve: () => void;
}

/** Appends to a history array, dropping its oldest entries past the limit. */
function keep<T>(history: T[], entry: T, limit: number): void {
  history.push(entry);
  if (history.length > limit) history.splice(0, history.length - limit);
}

/** Reading a shard pauses while it has this many unprocessed records per lane. */
const MAX_PENDING_PER_LANE = 10_000;
/** DescribeStream again every this many rounds to find new shards. */
const REFRESH_ROUNDS = 20;

/**
 * A local Lambda event source mapping for a DynamoDB stream. It polls the stream, builds the
 * events Lambda builds and applies Lambda's documented batching, filtering, error handling,
 * destination, tumbling-window and parallelization rules. What happened is kept in `log`,
 * `invocations` and `destinationMessages`, emitted on `events` (by entry type), and summed up
 * by `stats()`.
 */
export class EventSourceMapping {
  readonly uuid: string;
  readonly settings: ResolvedSettings;
  readonly log: MappingLogEntry[] = [];
  readonly invocations: InvocationLog[] = [];
  readonly destinationMessages: FailureDestinationPayload[] = [];
  readonly events = new EventEmitter();
  streamArn: string;
  functionArn = "";

  private readonly clock: () => number;
  private readonly historyLimit: number;
  private readonly filters: ((record: DynamoDBRecord) => boolean)[];
  private readonly destination?: DestinationSender;
  private readonly shards = new Map<string, ShardState>();
  private state: MappingStats["state"] = "created";
  private loop: Promise<void> | undefined;
  private wakeLoop: (() => void) | undefined;
  private round = 0;
  private idleWaiters: IdleWaiter[] = [];
  private readonly counts = {
    recordsRead: 0,
    recordsFiltered: 0,
    recordsSucceeded: 0,
    recordsDiscarded: 0,
    invocations: 0,
    failedInvocations: 0,
    retries: 0,
    bisections: 0,
    destinationMessages: 0,
    iteratorAgeMs: 0,
  };
  private lastError: string | undefined;
  private runtime!: MappingRuntime;
  private invoker!: Invoker;

  constructor(private readonly options: EventSourceMappingOptions) {
    this.settings = resolveSettings(options);
    this.clock = options.clock ?? Date.now;
    this.historyLimit = options.historyLimit ?? 10_000;
    this.uuid = options.uuid ?? randomUUID();
    this.streamArn = options.streamArn ?? "";
    if (!options.streamArn && !options.tableName) {
      throw new TypeError("createEventSourceMapping needs a streamArn or a tableName.");
    }
    if (options.tableName && !options.clients.dynamodb) {
      throw new TypeError(
        "With tableName the mapping looks up the table's stream: pass clients.dynamodb, or pass streamArn instead.",
      );
    }
    this.filters = this.settings.filterPatterns.map((pattern, index) => {
      try {
        return compilePattern(pattern) as (record: DynamoDBRecord) => boolean;
      } catch (error) {
        throw new TypeError(
          `FilterCriteria.Filters[${index}].Pattern is not a valid filter (${(error as Error).message}); write it as a JSON string such as '{"eventName":["INSERT"]}'.`,
        );
      }
    });
    if (this.settings.destination) {
      this.destination = new DestinationSender(
        parseDestination(this.settings.destination),
        options.clients,
        this.uuid,
      );
    }
  }

  /** Finds the shards and takes the starting position; records written after it resolves are read. */
  async start(): Promise<this> {
    if (this.state !== "created") {
      throw new Error(`The mapping is ${this.state}; create a new one to start again.`);
    }
    this.state = "starting";
    try {
      await this.connect();
    } catch (error) {
      this.state = "created";
      throw error;
    }
    this.state = "running";
    this.loop = this.run();
    return this;
  }

  private async connect(): Promise<void> {
    if (this.options.tableName) await this.resolveStream(this.options.tableName);
    const region = await this.options.clients.streams.config.region();
    const account = this.streamArn.split(":")[4] || "000000000000";
    this.functionArn = `arn:aws:lambda:${region}:${account}:function:${this.settings.functionName}`;
    this.invoker = new Invoker(this.options.handler, this.settings, this.uuid, this.functionArn);
    this.runtime = this.createRuntime();

    const shards = await describeShards(this.options.clients.streams, this.streamArn);
    const known = new Set(shards.map((shard) => shard.shardId));
    for (const shard of shards) {
      const state: ShardState = { shardId: shard.shardId, status: "waiting" };
      if (shard.parentShardId && known.has(shard.parentShardId)) {
        state.parentShardId = shard.parentShardId;
      }
      this.shards.set(shard.shardId, state);
      if (this.settings.startingPosition === "LATEST") {
        // LATEST starts at the tip of the open shards; closed shards hold only older records.
        if (shard.closed) state.status = "finished";
        else await this.openShard(state, "LATEST");
      } else if (!state.parentShardId) {
        await this.openShard(state, "TRIM_HORIZON");
      }
    }
  }

  /**
   * Resolves once every record written before the call has been read and fully handled:
   * invoked, retried, discarded or filtered, and windows that are due are closed.
   */
  waitForIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.state !== "running") {
      return Promise.reject(new Error(`The mapping is ${this.state}; call start() first.`));
    }
    const timeoutMs = options.timeoutMs ?? 20_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter !== entry);
        reject(
          new Error(
            `The mapping did not become idle within ${timeoutMs} ms: ${this.describeBusy()}`,
          ),
        );
      }, timeoutMs);
      const entry: IdleWaiter = {
        afterRound: this.round + 1,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.idleWaiters.push(entry);
      this.wakeLoop?.();
    });
  }

  /** The same as waitForIdle. */
  drain(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.waitForIdle(options);
  }

  /** Stops polling and waits for running invocations; records not yet handled stay unhandled. */
  async stop(): Promise<void> {
    if (this.state === "stopped" || this.state === "created") {
      this.state = "stopped";
      return;
    }
    this.state = "stopping";
    this.wakeLoop?.();
    await this.loop;
    await Promise.all([...this.shards.values()].map((shard) => shard.processor?.settled()));
    this.state = "stopped";
  }

  stats(): MappingStats {
    const shards: MappingStats["shards"] = {};
    const checkpoints: Record<string, string> = {};
    let pending = 0;
    for (const shard of this.shards.values()) {
      shards[shard.shardId] = shard.status;
      if (shard.processor?.checkpoint) checkpoints[shard.shardId] = shard.processor.checkpoint;
      pending += shard.processor?.pending ?? 0;
    }
    return {
      state: this.state,
      uuid: this.uuid,
      streamArn: this.streamArn,
      shards,
      ...this.counts,
      recordsPending: pending,
      checkpoints,
      ...(this.lastError !== undefined && { lastError: this.lastError }),
    };
  }

  private async resolveStream(tableName: string): Promise<void> {
    const out = await this.options.clients.dynamodb!.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    const arn = out.Table?.LatestStreamArn;
    if (!arn || !out.Table?.StreamSpecification?.StreamEnabled) {
      throw new Error(
        `Table ${tableName} has no stream; create it with StreamSpecification { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" }.`,
      );
    }
    this.streamArn = arn;
  }

  private async openShard(state: ShardState, position: "LATEST" | "TRIM_HORIZON"): Promise<void> {
    state.reader = new ShardReader(
      this.options.clients.streams,
      this.streamArn,
      state.shardId,
      position,
    );
    await state.reader.open();
    state.processor = new ShardProcessor(this.runtime, state.shardId);
    state.status = "reading";
    this.record({ type: "shard", shardId: state.shardId, status: "reading" });
  }

  private createRuntime(): MappingRuntime {
    return {
      settings: this.settings,
      streamArn: this.streamArn,
      clock: () => this.clock(),
      stopped: () => this.state === "stopping" || this.state === "stopped",
      matches: (item) =>
        this.filters.length === 0 || this.filters.some((match) => match(item.record)),
      invoke: (shardId, lane, event, items) => this.invoke(shardId, lane, event, items),
      discard: (shardId, discard, lastCall) => this.discard(shardId, discard, lastCall),
      settled: (items, how) => {
        if (how === "succeeded") this.counts.recordsSucceeded += items.length;
        else if (how === "filtered") this.counts.recordsFiltered += items.length;
        else this.counts.recordsDiscarded += items.length;
      },
      log: (entry) => this.record(entry),
    };
  }

  private async run(): Promise<void> {
    while (this.state === "running") {
      this.round += 1;
      const round = this.round;
      let read = 0;
      let failed = false;
      try {
        if (round % REFRESH_ROUNDS === 0) await this.refreshShards();
        read = await this.pollShards();
      } catch (error) {
        failed = true;
        this.record({ type: "poll-error", error: (error as Error).message });
      }
      // Idle means a whole round read nothing new and every record is handled.
      if (!failed && read === 0 && this.allIdle()) {
        const ready = this.idleWaiters.filter((waiter) => waiter.afterRound <= round);
        this.idleWaiters = this.idleWaiters.filter((waiter) => waiter.afterRound > round);
        for (const waiter of ready) waiter.resolve();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.settings.pollIntervalMs);
        this.wakeLoop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeLoop = undefined;
    }
  }

  private async pollShards(): Promise<number> {
    let read = 0;
    let shardFinished = false;
    for (const state of this.shards.values()) {
      if (state.status === "waiting") {
        const parent = state.parentShardId ? this.shards.get(state.parentShardId) : undefined;
        if (!parent || parent.status === "finished") await this.openShard(state, "TRIM_HORIZON");
      }
      if (state.status !== "reading") continue;
      const reader = state.reader as ShardReader;
      const processor = state.processor as ShardProcessor;
      const room = MAX_PENDING_PER_LANE * processor.lanes.length - processor.pending;
      if (!reader.ended && room > 0) {
        const records = await reader.read();
        if (records.length > 0) {
          read += records.length;
          this.counts.recordsRead += records.length;
          processor.push(records.map((record) => toStreamItem(record, this.streamArn)));
        }
        if (reader.ended) processor.markEnded();
      }
      processor.wake();
      if (processor.finished()) {
        state.status = "finished";
        shardFinished = true;
        this.record({ type: "shard", shardId: state.shardId, status: "finished" });
      }
    }
    if (shardFinished) await this.refreshShards();
    return read;
  }

  private async refreshShards(): Promise<void> {
    for (const shard of await describeShards(this.options.clients.streams, this.streamArn)) {
      if (this.shards.has(shard.shardId)) continue;
      const state: ShardState = { shardId: shard.shardId, status: "waiting" };
      if (shard.parentShardId && this.shards.has(shard.parentShardId)) {
        state.parentShardId = shard.parentShardId;
      }
      this.shards.set(shard.shardId, state);
    }
  }

  private allIdle(): boolean {
    for (const state of this.shards.values()) {
      if (state.status === "waiting") {
        const parent = state.parentShardId ? this.shards.get(state.parentShardId) : undefined;
        if (!parent || parent.status === "finished") return false;
      }
      if (state.processor && !state.processor.idle()) return false;
      // A parent that just finished still has to hand over to its children.
      if (state.status === "reading" && state.processor?.finished()) return false;
    }
    return true;
  }

  private describeBusy(): string {
    const parts: string[] = [];
    for (const state of this.shards.values()) {
      const processor = state.processor;
      if (processor && !processor.idle()) {
        parts.push(`shard ${state.shardId} has ${processor.pending} records not yet checkpointed`);
      }
    }
    const hint =
      this.settings.maximumRetryAttempts === -1
        ? "; with MaximumRetryAttempts -1 a failing batch is retried until it expires, so set MaximumRetryAttempts or fix the handler"
        : "";
    return `${parts.join(", ") || "the stream still returned records"}${hint}. Last error: ${this.lastError ?? "none"}.`;
  }

  private async invoke(
    shardId: string,
    lane: number,
    event: MappingEvent,
    items: StreamItem[],
  ): Promise<CallResult> {
    const { call, invocation } = await this.invoker.invoke(shardId, lane, event, items);
    this.counts.invocations += 1;
    if (call.outcome.kind !== "success") this.counts.failedInvocations += 1;
    const newest = items[items.length - 1];
    if (newest) this.counts.iteratorAgeMs = Math.max(0, this.clock() - newest.createdAtMs);
    keep(this.invocations, invocation, this.historyLimit);
    this.record({ type: "invocation", invocation });
    return call;
  }

  private async discard(shardId: string, discard: Discard, lastCall?: CallResult): Promise<void> {
    this.record({
      type: "discard",
      shardId,
      condition: discard.condition,
      sequenceNumbers: discard.items.map((item) => item.sequenceNumber),
    });
    if (!this.destination || !this.settings.destination) return;
    const nowMs = this.clock();
    const functionError =
      lastCall?.outcome.kind === "failure" ? lastCall.outcome.functionError : undefined;
    const message = buildFailureRecord(discard, {
      requestId: lastCall?.requestId ?? this.invoker.nextRequestId(),
      functionArn: this.functionArn,
      streamArn: this.streamArn,
      shardId,
      nowMs,
      ...(functionError && { functionError }),
    });
    const target = this.settings.destination;
    try {
      const location = await this.destination.send(
        message,
        { Records: discard.items.map((item) => item.record) },
        nowMs,
      );
      this.counts.destinationMessages += 1;
      keep(this.destinationMessages, message, this.historyLimit);
      this.record({ type: "destination", target, message, location });
    } catch (error) {
      this.lastError = `Sending to ${target} failed: ${(error as Error).message}`;
      this.record({ type: "destination-error", target, error: this.lastError });
    }
  }

  private record(entry: MappingLogEntry): void {
    if (entry.type === "retry") this.counts.retries += 1;
    if (entry.type === "bisect") this.counts.bisections += 1;
    if (entry.type === "poll-error") this.lastError = entry.error;
    keep(this.log, entry, this.historyLimit);
    this.events.emit(entry.type, entry);
    this.events.emit("entry", entry);
  }
}

export function createEventSourceMapping(options: EventSourceMappingOptions): EventSourceMapping {
  return new EventSourceMapping(options);
}
