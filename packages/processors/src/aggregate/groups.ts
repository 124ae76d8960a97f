import type { Delta } from "./contribution.js";

/** TransactWriteItems takes 100 actions: the cell writes plus one watermark per distinct item. */
export const maxActions = 100;

/** An UpdateExpression holds 4 KB; `ADD #0 :0, #1 :1, ...` with 300 terms stays below 3.5 KB. */
export const maxTermsPerCell = 300;

export interface Planned {
  itemId: string;
  delta: Delta;
}

/**
 * Splits the changes, in order, into groups that each fit one transaction with their
 * watermarks: cells touched plus distinct items at most 100, and no cell beyond 300 amounts.
 * Each group commits atomically on its own; an item's changes stay in order across groups.
 */
export function groupWithinLimits<P extends Planned>(planned: P[]): P[][] {
  const groups: P[][] = [];
  let group: P[] = [];
  let items = new Set<string>();
  let cells = new Map<string, Set<string>>();
  const fits = (next: P): boolean => {
    const newItem = items.has(next.itemId) ? 0 : 1;
    let newCells = 0;
    for (const [address, cell] of next.delta) {
      const terms = cells.get(address);
      if (!terms) {
        newCells++;
        continue;
      }
      let added = 0;
      for (const attribute of cell.terms.keys()) if (!terms.has(attribute)) added++;
      if (terms.size + added > maxTermsPerCell) return false;
    }
    return items.size + newItem + cells.size + newCells <= maxActions;
  };
  for (const next of planned) {
    if (group.length > 0 && !fits(next)) {
      groups.push(group);
      group = [];
      items = new Set();
      cells = new Map();
    }
    group.push(next);
    items.add(next.itemId);
    for (const [address, cell] of next.delta) {
      let terms = cells.get(address);
      if (!terms) {
        terms = new Set();
        cells.set(address, terms);
      }
      for (const attribute of cell.terms.keys()) terms.add(attribute);
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
