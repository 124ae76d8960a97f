import type { CheckpointKey, CheckpointState, CheckpointStore, WriteResult } from "./types.js";

/**
 * An in-memory checkpoint store with the same rules as the DynamoDB one (monotonic writes), for
 * unit tests. `reads` and `writes` count calls.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #items = new Map<string, CheckpointState>();
  reads = 0;
  writes = 0;

  #id(key: CheckpointKey): string {
    return JSON.stringify([key.pipeline, key.processor, key.scope]);
  }

  async read(key: CheckpointKey): Promise<CheckpointState | undefined> {
    this.reads++;
    const state = this.#items.get(this.#id(key));
    return state && { sequenceNumber: state.sequenceNumber, finished: [...state.finished] };
  }

  async write(key: CheckpointKey, next: CheckpointState): Promise<WriteResult> {
    this.writes++;
    const id = this.#id(key);
    const stored = this.#items.get(id);
    if (stored) {
      const at = BigInt(stored.sequenceNumber);
      const to = BigInt(next.sequenceNumber);
      if (to < at) return "stale";
      if (to === at) {
        const finished = new Set([...stored.finished, ...next.finished]);
        this.#items.set(id, { sequenceNumber: stored.sequenceNumber, finished: [...finished] });
        return "written";
      }
    }
    this.#items.set(id, { sequenceNumber: next.sequenceNumber, finished: [...next.finished] });
    return "written";
  }
}
