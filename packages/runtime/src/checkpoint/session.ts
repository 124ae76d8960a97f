import { defaultDedupeTtlSeconds } from "../dedupe/types.js";
import { describeError } from "../errors.js";
import type { Logger } from "../logger.js";
import { isFinished, type Outcome } from "../outcome.js";
import type { ProcessContext } from "../processor.js";
import type { Slot } from "../slots.js";
import { transactWithCheckpoint } from "../transaction.js";
import { DynamoDBCheckpointStore } from "./dynamodb.js";
import type { CheckpointScope } from "./scope.js";
import { isCovered, nextCheckpoint } from "./state.js";
import type { CheckpointState, CheckpointStore } from "./types.js";

const sameState = (a: CheckpointState | undefined, b: CheckpointState): boolean =>
  a !== undefined &&
  a.sequenceNumber === b.sequenceNumber &&
  a.finished.length === b.finished.length &&
  a.finished.every((seq) => b.finished.includes(seq));

/**
 * One processor's checkpoint over one batch: read once, skip what it covers, optionally commit
 * with a batch processor's effect, and write once at the end.
 */
export class CheckpointSession<T> {
  readonly #store: CheckpointStore;
  readonly #key: { pipeline: string; processor: string };
  readonly #scope: CheckpointScope;
  readonly #slots: Slot<T>[];
  readonly #read: CheckpointState | undefined;
  /** What a batch processor already committed with its effect. */
  #committed: { scope: string; state: CheckpointState; indexes: Set<number> } | undefined;

  private constructor(
    store: CheckpointStore,
    key: { pipeline: string; processor: string },
    scope: CheckpointScope,
    slots: Slot<T>[],
    read: CheckpointState | undefined,
  ) {
    this.#store = store;
    this.#key = key;
    this.#scope = scope;
    this.#slots = slots;
    this.#read = read;
  }

  static async open<T>(
    store: CheckpointStore,
    key: { pipeline: string; processor: string },
    scope: CheckpointScope,
    slots: Slot<T>[],
    retrying: <R>(operation: () => Promise<R>) => Promise<R>,
  ): Promise<CheckpointSession<T>> {
    const read = await retrying(() => store.read({ ...key, scope: scope.read }));
    return new CheckpointSession(store, key, scope, slots, read);
  }

  /** Marks the records the checkpoint covers as skipped. */
  skipCovered(outcomes: Outcome[]): void {
    this.#slots.forEach((slot, index) => {
      if (isCovered(this.#read, slot.seq)) outcomes[index] = "skipped";
    });
  }

  /**
   * `ctx.commit` for batch processors (DynamoDB store only): the checkpoint as if the given
   * events, and those committed before, were applied, in the same transaction as the writes.
   */
  commitFor(outcomes: Outcome[]): ProcessContext["commit"] {
    const store = this.#store;
    if (!(store instanceof DynamoDBCheckpointStore)) return undefined;
    const indexOf = new Map(this.#slots.map((slot, index) => [slot.eventId, index]));
    return async (writes, events) => {
      const indexes = new Set(this.#committed?.indexes);
      for (const event of events) {
        const index = indexOf.get(event.meta.eventId);
        if (index === undefined) {
          throw new Error(`commit() got event ${event.meta.eventId}, which is not in this batch.`);
        }
        indexes.add(index);
      }
      const assumed = outcomes.map((outcome, index) => (indexes.has(index) ? "applied" : outcome));
      const scope = this.#scope.write(assumed.findIndex((outcome) => !isFinished(outcome)));
      const next = nextCheckpoint(this.#committed?.state ?? this.#read, this.#slots, assumed);
      if (!next) throw new Error("commit() got no event that moves the checkpoint.");
      const sequenceNumbers = events.map((event) => event.meta.sequenceNumber).join(",");
      await transactWithCheckpoint({
        client: store.client,
        writes,
        checkpoint: { store, key: { ...this.#key, scope }, next, previous: this.#stored(scope) },
        batchId: `${this.#key.pipeline}|${this.#key.processor}|${scope}|${sequenceNumbers}`,
      });
      this.#committed = { scope, state: next, indexes };
    };
  }

  /** What is stored under `scope`, as far as this invocation knows. */
  #stored(scope: string): CheckpointState | undefined {
    if (this.#committed?.scope === scope) return this.#committed.state;
    // A resume point under a new key starts from nothing.
    return scope === this.#scope.read ? this.#read : undefined;
  }

  /**
   * Moves the checkpoint over what this batch finished, with one conditional write. A failure is
   * logged, not thrown: the records stay applied, and redelivered ones past the last checkpoint
   * run again.
   */
  async save(
    outcomes: Outcome[],
    log: Logger,
    retrying: <R>(operation: () => Promise<R>) => Promise<R>,
  ): Promise<void> {
    const next = nextCheckpoint(this.#read, this.#slots, outcomes);
    if (!next) return;
    const scope = this.#scope.write(outcomes.findIndex((outcome) => !isFinished(outcome)));
    if (this.#committed?.scope === scope && sameState(this.#committed.state, next)) return;
    const options = this.#scope.expires
      ? { expiresAt: Math.floor(Date.now() / 1000) + defaultDedupeTtlSeconds }
      : {};
    try {
      const result = await retrying(() =>
        this.#store.write({ ...this.#key, scope }, next, this.#stored(scope), options),
      );
      if (result === "stale") {
        log.info("checkpoint already ahead (a concurrent writer won); left as is", {
          sequenceNumber: next.sequenceNumber,
        });
      }
    } catch (error) {
      log.error("checkpoint write failed; redelivered records may be applied again", {
        error: describeError(error),
      });
    }
  }
}
