import type { CheckpointStore, ItemWatermark } from "./types.js";

/**
 * An in-memory checkpoint store with the DynamoDB store's rules (watermarks only move up), for
 * unit tests. `reads` and `writes` count calls, as the DynamoDB store's requests would be counted
 * for batches of up to 100 items.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #watermarks = new Map<string, ItemWatermark>();
  reads = 0;
  writes = 0;

  async read(ids: string[]): Promise<Map<string, ItemWatermark>> {
    this.reads++;
    const found = new Map<string, ItemWatermark>();
    for (const id of ids) {
      const stored = this.#watermarks.get(id);
      if (stored) found.set(id, structuredClone(stored));
    }
    return found;
  }

  async write(watermarks: ItemWatermark[]): Promise<void> {
    this.writes++;
    for (const watermark of watermarks) {
      const stored = this.#watermarks.get(watermark.id);
      if (!stored || BigInt(stored.sequenceNumber) <= BigInt(watermark.sequenceNumber)) {
        this.#watermarks.set(watermark.id, structuredClone(watermark));
      }
    }
  }

  /** Every stored watermark, for assertions. */
  snapshot(): ItemWatermark[] {
    return [...this.#watermarks.values()].map((watermark) => structuredClone(watermark));
  }
}
