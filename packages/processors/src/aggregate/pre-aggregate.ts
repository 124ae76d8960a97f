import type { AttributeValue, TransactWriteItem } from "@aws-sdk/client-dynamodb";
import type { Cell, Delta } from "./contribution.js";
import { add, fitsDynamoDB, isZero, toText } from "./exact.js";
import { partitionKey, sortKey } from "./table.js";

/** The batch's changes summed per aggregate item: one write per cell, however many changes. */
export interface Merged {
  cells: Delta;
  /** Which of the inputs touched each cell, to fail only those when a cell cannot be written. */
  contributors: Map<string, number[]>;
}

export function merge(deltas: Delta[]): Merged {
  const cells: Delta = new Map();
  const contributors = new Map<string, number[]>();
  deltas.forEach((delta, index) => {
    for (const [address, cell] of delta) {
      let into = cells.get(address);
      if (!into) {
        into = { pk: cell.pk, sk: cell.sk, terms: new Map() };
        cells.set(address, into);
        contributors.set(address, []);
      }
      contributors.get(address)!.push(index);
      for (const [attribute, amount] of cell.terms) {
        const before = into.terms.get(attribute);
        into.terms.set(attribute, before ? add(before, amount) : amount);
      }
    }
  });
  return { cells, contributors };
}

/** Cells whose summed amounts DynamoDB cannot store (more than 38 significant digits). */
export function unwritable(merged: Merged): string[] {
  return [...merged.cells]
    .filter(([, cell]) => [...cell.terms.values()].some((amount) => !fitsDynamoDB(amount)))
    .map(([address]) => address);
}

/**
 * One UpdateItem per cell that changes, adding each non-zero amount with ADD (exact decimal
 * arithmetic in DynamoDB; an absent attribute counts as 0). Cells that sum to nothing are left out.
 */
export function updatesOf(table: string, merged: Merged): TransactWriteItem[] {
  const updates: TransactWriteItem[] = [];
  for (const cell of merged.cells.values()) {
    const update = updateOf(table, cell);
    if (update) updates.push(update);
  }
  return updates;
}

function updateOf(table: string, cell: Cell): TransactWriteItem | undefined {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const terms: string[] = [];
  for (const [attribute, amount] of cell.terms) {
    if (isZero(amount)) continue;
    const i = terms.length;
    names[`#${i}`] = attribute;
    values[`:${i}`] = { N: toText(amount) };
    terms.push(`#${i} :${i}`);
  }
  if (terms.length === 0) return undefined;
  return {
    Update: {
      TableName: table,
      Key: { [partitionKey]: { S: cell.pk }, [sortKey]: { S: cell.sk } },
      UpdateExpression: `ADD ${terms.join(", ")}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}
