import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";

/** PutEvents accepts at most this many entries a call. */
export const MAX_ENTRIES_PER_CALL = 10;

/**
 * EventBridge's entry size limit: 1 MB since January 2026 (256 KB before). The same limit
 * applies to the sum of a request's entries, so it also bounds each call.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;

const utf8 = (text: string | undefined) =>
  text === undefined ? 0 : Buffer.byteLength(text, "utf8");

/**
 * The size EventBridge charges an entry against the limit ("Calculating PutEvents event entry
 * size"): Time counts 14 bytes; Source, DetailType, Detail and each resource their UTF-8 length.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time !== undefined ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}

export interface Packable {
  size: number;
  /** Items with the same key go one per call, in list order. */
  key?: string | undefined;
}

/**
 * The next PutEvents call from the items still to put, in order: at most 10 items whose sizes add
 * up to at most the limit, and of each key only its first item, so a key's next item is sent
 * only once the previous one was accepted. `ready` leaves out items that must wait.
 */
export function packCall<T extends Packable>(
  items: T[],
  ready: (item: T) => boolean = () => true,
  maxBytes = MAX_ENTRY_BYTES,
): T[] {
  const call: T[] = [];
  const seenKeys = new Set<string>();
  let bytes = 0;
  for (const item of items) {
    const first = item.key === undefined || !seenKeys.has(item.key);
    if (item.key !== undefined) seenKeys.add(item.key);
    if (!first || !ready(item)) continue;
    if (call.length === MAX_ENTRIES_PER_CALL || bytes + item.size > maxBytes) break;
    call.push(item);
    bytes += item.size;
  }
  return call;
}
