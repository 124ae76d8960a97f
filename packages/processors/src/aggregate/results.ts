import { type RecordResult, transient } from "@sluice/runtime";

/**
 * One result per event, and the first failed change of each item: the item's later changes
 * wait for the next attempt, so its changes apply in order. Its earlier ones go on.
 */
export class Results {
  readonly list: RecordResult[];
  readonly #firstFailure = new Map<string, number>();

  constructor(events: number) {
    this.list = Array.from({ length: events }, () => ({ ok: true }));
  }

  fail(step: { index: number; itemId: string }, error: unknown): void {
    this.list[step.index] = { ok: false, error };
    const first = this.#firstFailure.get(step.itemId);
    if (first === undefined || step.index < first) this.#firstFailure.set(step.itemId, step.index);
  }

  waits(step: { index: number; itemId: string }): boolean {
    const first = this.#firstFailure.get(step.itemId);
    return first !== undefined && step.index > first;
  }
}

/** Transient: the change runs in the next attempt, after the item's failed one. */
export const heldBack = () =>
  transient(
    new Error(
      "Held back: an earlier change of this item failed in this batch, so this one waits to keep the item's changes in order.",
    ),
  );

/** Transient: Lambda sends the change again. */
export const pastDeadline = () =>
  transient(new Error("Not committed: the invocation reached its deadline first."));
