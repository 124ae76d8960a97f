import { type OrderedRun, runPerItem } from "./per-item.js";

/** The whole batch as one item: sequence order, stop at the first unfinished record. */
export function runStrict<T>(run: OrderedRun<T>): Promise<void> {
  return runPerItem(run, 1, () => "");
}
