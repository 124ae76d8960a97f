import type { StreamItem } from "./lambda-event.js";
import { type CallResult, Lane, type LaneHost } from "./lane.js";
import type { Discard } from "./retry.js";
import type { ResolvedSettings } from "./settings.js";
import type { MappingEvent, MappingLogEntry } from "./types.js";

/** What a shard needs from its mapping. */
export interface MappingRuntime {
  readonly settings: ResolvedSettings;
  readonly streamArn: string;
  clock(): number;
  stopped(): boolean;
  matches(item: StreamItem): boolean;
  invoke(
    shardId: string,
    lane: number,
    event: MappingEvent,
    items: StreamItem[],
  ): Promise<CallResult>;
  discard(shardId: string, discard: Discard, lastCall?: CallResult): Promise<void>;
  settled(items: StreamItem[], how: "succeeded" | "filtered" | "discarded"): void;
  log(entry: MappingLogEntry): void;
}

/** FNV-1a: a stable hash, so an item always lands in the same lane. */
function laneOf(itemKey: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < itemKey.length; i++) {
    hash ^= itemKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/**
 * The records of one shard between reading and checkpoint. The checkpoint is the highest
 * sequence number below which every record was processed, filtered out or discarded.
 */
export class ShardProcessor {
  readonly lanes: Lane[];
  /** Sequence numbers read and not yet below the checkpoint; true once settled. */
  private readonly open = new Map<string, boolean>();
  private ended = false;
  checkpoint: string | undefined;

  constructor(
    private readonly runtime: MappingRuntime,
    readonly shardId: string,
  ) {
    const host: LaneHost = {
      settings: runtime.settings,
      shardId,
      streamArn: runtime.streamArn,
      clock: () => runtime.clock(),
      stopped: () => runtime.stopped(),
      shardEnded: () => this.ended && this.open.size === 0,
      invoke: (lane, event, items) => runtime.invoke(shardId, lane, event, items),
      settle: (items) => this.settle(items, "succeeded"),
      discard: async (_lane, discard, lastCall) => {
        await runtime.discard(shardId, discard, lastCall);
        this.settle(discard.items, "discarded");
      },
      log: (entry) => runtime.log(entry),
    };
    this.lanes = Array.from(
      { length: runtime.settings.parallelizationFactor },
      (_, index) => new Lane(host, index),
    );
  }

  get pending(): number {
    return this.open.size;
  }

  push(items: StreamItem[]): void {
    const perLane: StreamItem[][] = this.lanes.map(() => []);
    const filtered: StreamItem[] = [];
    for (const item of items) {
      this.open.set(item.sequenceNumber, false);
      if (!this.runtime.matches(item)) {
        filtered.push(item);
        continue;
      }
      perLane[laneOf(item.itemKey, this.lanes.length)]!.push(item);
    }
    // Filtered-out records count as processed, so they move the checkpoint like successes.
    if (filtered.length > 0) {
      this.runtime.log({
        type: "filtered",
        shardId: this.shardId,
        sequenceNumbers: filtered.map((item) => item.sequenceNumber),
      });
      this.settle(filtered, "filtered");
    }
    perLane.forEach((laneItems, index) => {
      this.lanes[index]!.push(laneItems);
    });
  }

  /** The shard is closed and read to its end. */
  markEnded(): void {
    this.ended = true;
    this.wake();
  }

  wake(): void {
    for (const lane of this.lanes) lane.wake();
  }

  idle(): boolean {
    return this.lanes.every((lane) => lane.idle());
  }

  /** Closed, read, and everything processed: its children may be read now. */
  finished(): boolean {
    return this.ended && this.open.size === 0 && this.idle();
  }

  settled(): Promise<void> {
    return Promise.all(this.lanes.map((lane) => lane.settled())).then(() => undefined);
  }

  private settle(items: StreamItem[], how: "succeeded" | "filtered" | "discarded"): void {
    for (const item of items) {
      if (this.open.has(item.sequenceNumber)) this.open.set(item.sequenceNumber, true);
    }
    this.runtime.settled(items, how);
    let advanced: string | undefined;
    for (const [sequenceNumber, done] of this.open) {
      if (!done) break;
      this.open.delete(sequenceNumber);
      advanced = sequenceNumber;
    }
    if (advanced !== undefined) {
      this.checkpoint = advanced;
      this.runtime.log({ type: "checkpoint", shardId: this.shardId, sequenceNumber: advanced });
    }
  }
}
