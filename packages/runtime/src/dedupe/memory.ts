import type { DedupeStore } from "./types.js";

/** An in-memory dedupe store for unit tests. */
export class MemoryDedupeStore implements DedupeStore {
  readonly #marks = new Set<string>();

  async seen(scope: string, eventIds: string[]): Promise<Set<string>> {
    return new Set(eventIds.filter((id) => this.#marks.has(`${scope}|${id}`)));
  }

  async mark(scope: string, eventId: string): Promise<boolean> {
    const id = `${scope}|${eventId}`;
    if (this.#marks.has(id)) return false;
    this.#marks.add(id);
    return true;
  }
}
