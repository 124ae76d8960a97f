import type { Outcome } from "../outcome.js";
import type { Slot } from "../slots.js";

export interface OrderedRun<T> {
  slots: Slot<T>[];
  /** Outcomes by slot index; pre-filled with `skipped` for records already applied. */
  outcomes: Outcome[];
  runSlot: (index: number) => Promise<Outcome>;
  expired: () => boolean;
}

/**
 * Items run concurrently, at most `concurrency` at a time; each item's changes run in sequence
 * order and the item stops at its first unfinished change, leaving the rest not started.
 */
export async function runPerItem<T>(
  run: OrderedRun<T>,
  concurrency: number,
  keyOf: (slot: Slot<T>) => string = (slot) => slot.itemKey,
): Promise<void> {
  const groups = new Map<string, number[]>();
  run.slots.forEach((slot, index) => {
    const key = keyOf(slot);
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      await runGroup(run, group);
    }
  };
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

async function runGroup<T>(run: OrderedRun<T>, group: number[]): Promise<void> {
  for (let i = 0; i < group.length; i++) {
    const index = group[i]!;
    if (run.outcomes[index] === "skipped") continue;
    const outcome = run.expired() ? "not-started" : await run.runSlot(index);
    run.outcomes[index] = outcome;
    if (outcome === "applied" || outcome === "dead-lettered") continue;
    for (const rest of group.slice(i + 1)) {
      if (run.outcomes[rest] !== "skipped") run.outcomes[rest] = "not-started";
    }
    return;
  }
}
