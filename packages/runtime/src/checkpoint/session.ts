import { describeError, transient } from "../errors.js";
import type { Logger } from "../logger.js";
import { isFinished, type Outcome } from "../outcome.js";
import type { ProcessContext } from "../processor.js";
import type { Slot } from "../slots.js";
import { transactWithCheckpoint } from "../transaction.js";
import { conditionFailures, DynamoDBCheckpointStore } from "./dynamodb.js";
import type { CheckpointStore, ItemWatermark } from "./types.js";
import { checkpointId, isCovered, nextWatermarks } from "./watermarks.js";

type Retrying = <R>(operation: () => Promise<R>) => Promise<R>;

/**
 * A commit refused because a watermark already covers some of its events: another delivery
 * applied them. Transient, so without a read-on-conflict the events are reported and skipped
 * when Lambda sends them again.
 */
export class CommitRefusedError extends Error {
  override readonly name = "CommitRefusedError";
}

/**
 * Sequence numbers this container reported as failed, bounded: a batch that starts at one is
 * Lambda's redelivery, and a processor that reads on conflict then reads first instead.
 */
const reported = new Set<string>();
const maxReported = 1_000;

export function noteReported(pipeline: string, sequenceNumber: string): void {
  reported.add(`${pipeline}|${sequenceNumber}`);
  if (reported.size > maxReported) reported.delete(reported.values().next().value as string);
}

export const isRedelivery = (pipeline: string, slots: Slot<unknown>[]): boolean =>
  slots[0]?.sequenceNumber !== undefined && reported.has(`${pipeline}|${slots[0].sequenceNumber}`);

/**
 * One processor's checkpoints over one batch: the watermarks of the batch's items are read once,
 * covered records are skipped, a batch processor may commit watermarks with its effect, and the
 * rest are written once at the end.
 */
export class CheckpointSession<T> {
  readonly #store: CheckpointStore;
  readonly #names: { pipeline: string; processor: string };
  readonly #slots: Slot<T>[];
  /** The checkpoint id of each slot's item. */
  readonly #ids: string[];
  /** Watermarks as read, raised by what this invocation committed. */
  readonly #stored: Map<string, ItemWatermark>;
  /** False until the watermarks were read (a processor that reads on conflict starts without). */
  #read: boolean;

  private constructor(
    store: CheckpointStore,
    names: { pipeline: string; processor: string },
    slots: Slot<T>[],
    ids: string[],
  ) {
    this.#store = store;
    this.#names = names;
    this.#slots = slots;
    this.#ids = ids;
    this.#stored = new Map();
    this.#read = false;
  }

  /** Opens the session; `read: false` defers the read until a commit is refused. */
  static async open<T>(
    store: CheckpointStore,
    names: { pipeline: string; processor: string },
    slots: Slot<T>[],
    retrying: Retrying,
    options: { read: boolean } = { read: true },
  ): Promise<CheckpointSession<T>> {
    const ids = slots.map((slot) => checkpointId(names, slot as Slot<unknown>));
    const session = new CheckpointSession(store, names, slots, ids);
    if (options.read) await session.read(retrying);
    return session;
  }

  /** Reads the watermarks of the batch's items, keeping what this invocation committed. */
  async read(retrying: Retrying): Promise<void> {
    const wanted = [
      ...new Set(this.#ids.filter((_, index) => this.#slots[index]!.seq !== undefined)),
    ];
    const found =
      wanted.length > 0
        ? await retrying(() => this.#store.read(wanted))
        : new Map<string, ItemWatermark>();
    for (const [id, watermark] of found) {
      const committed = this.#stored.get(id);
      if (!committed || BigInt(committed.sequenceNumber) < BigInt(watermark.sequenceNumber)) {
        this.#stored.set(id, watermark);
      }
    }
    this.#read = true;
  }

  get hasRead(): boolean {
    return this.#read;
  }

  /** Marks the records at or below their item's watermark as skipped, unless finished here. */
  skipCovered(outcomes: Outcome[]): void {
    this.#slots.forEach((slot, index) => {
      if (isFinished(outcomes[index])) return;
      if (isCovered(this.#stored.get(this.#ids[index]!), slot.seq)) outcomes[index] = "skipped";
    });
  }

  /**
   * `ctx.commit` for batch processors (DynamoDB store only): the effect's writes and the
   * watermarks of the given events' items in one TransactWriteItems, each watermark conditioned
   * on still being below the item's first committed change, so an effect that another delivery
   * already applied is refused instead of applied twice.
   */
  commitFor(): ProcessContext["commit"] {
    const store = this.#store;
    if (!(store instanceof DynamoDBCheckpointStore)) return undefined;
    const indexOf = new Map(this.#slots.map((slot, index) => [slot.eventId, index]));
    return async (writes, events) => {
      const items = new Map<string, { first: Slot<T>; last: Slot<T> }>();
      for (const event of events) {
        const index = indexOf.get(event.meta.eventId);
        if (index === undefined) {
          throw new Error(`commit() got event ${event.meta.eventId}, which is not in this batch.`);
        }
        const slot = this.#slots[index]!;
        if (slot.seq === undefined) continue;
        const id = this.#ids[index]!;
        const item = items.get(id);
        if (!item) items.set(id, { first: slot, last: slot });
        else if (slot.seq > item.last.seq!) item.last = slot;
        else if (slot.seq < item.first.seq!) item.first = slot;
      }
      const watermarks: { watermark: ItemWatermark; below: string }[] = [];
      for (const [id, { first, last }] of items) {
        const previous = this.#stored.get(id);
        const [watermark] = nextWatermarks(
          [first, last] as Slot<unknown>[],
          ["applied", "applied"],
          [id, id],
          previous ? new Map([[id, previous]]) : new Map(),
          Date.now(),
        );
        if (watermark) watermarks.push({ watermark, below: first.sequenceNumber! });
      }
      const sequenceNumbers = events.map((event) => event.meta.sequenceNumber).join(",");
      try {
        await transactWithCheckpoint({
          client: store.client,
          writes,
          checkpoint: watermarks.map(({ watermark, below }) =>
            // Unread, a listed finished change above the watermark cannot be checked: refuse.
            store.updateAction(watermark, below, { noFinished: !this.#read }),
          ),
          batchId: `${this.#names.pipeline}|${this.#names.processor}|${sequenceNumbers}`,
        });
      } catch (error) {
        if (!conditionFailures(error)) throw error;
        throw transient(
          new CommitRefusedError(
            "commit() refused: another delivery already applied some of these events; they are skipped when Lambda sends them again.",
            { cause: error },
          ),
        );
      }
      for (const { watermark } of watermarks) this.#stored.set(watermark.id, watermark);
    };
  }

  /**
   * Moves the watermarks over what this batch finished. A failure is logged, not thrown: the
   * records stay applied, and only those Lambda sends again are applied again.
   */
  async save(outcomes: Outcome[], log: Logger, retrying: Retrying): Promise<void> {
    const watermarks = nextWatermarks(
      this.#slots as Slot<unknown>[],
      outcomes,
      this.#ids,
      this.#stored,
      Date.now(),
    );
    if (watermarks.length === 0) return;
    try {
      await retrying(() => this.#store.write(watermarks));
    } catch (error) {
      log.error("checkpoint write failed; records Lambda sends again may be applied again", {
        items: watermarks.length,
        error: describeError(error),
      });
    }
  }
}
