import type { ReplayRecord, ReplayTarget } from "@sluice/dlq";
import type { DynamoDBStreamRecord } from "@sluice/records";

/** Table and key of the record's item: the same for every change of the item. */
function itemOf(record: DynamoDBStreamRecord): string {
  const keys = record.dynamodb?.Keys ?? {};
  const sorted = Object.keys(keys)
    .sort()
    .map((name) => [name, keys[name]]);
  return `${record.eventSourceARN ?? ""}\n${JSON.stringify(sorted)}`;
}

/**
 * Keeps each item's changes in order across the messages of a run: once a change of an item
 * fails, its later changes are held back (reported as failed, not delivered) until a later run
 * replays the failed one first.
 */
export function itemOrderTarget(target: ReplayTarget): ReplayTarget {
  const failedItems = new Map<string, string>();
  return {
    describe: target.describe,
    async deliver(records: ReplayRecord[]) {
      const held = new Map<string, string>();
      const ready: ReplayRecord[] = [];
      for (const record of records) {
        const blocker = failedItems.get(itemOf(record.record));
        if (blocker === undefined) ready.push(record);
        else held.set(record.id, `held back: an earlier change of its item (${blocker}) failed`);
      }
      const failed = ready.length > 0 ? await target.deliver(ready) : new Map<string, string>();
      for (const record of ready) {
        const item = itemOf(record.record);
        if (failed.has(record.id) && !failedItems.has(item)) failedItems.set(item, record.id);
      }
      return new Map([...failed, ...held]);
    },
  };
}
