import { createHash } from "node:crypto";
import { compareSequenceNumbers } from "@sluice/records";

/** A Hive-style partition of the archive: one table, one UTC hour. */
export interface Partition {
  table: string;
  /** YYYY-MM-DD, UTC. */
  dt: string;
  /** 00 to 23, UTC. */
  hour: string;
}

export const OBJECT_SUFFIX = ".jsonl.gz";

/** `audit/`, `/audit`, `audit` all mean the folder `audit`; "" is the bucket's root. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, "");
}

export function partitionOf(table: string, time: Date): Partition {
  const iso = time.toISOString();
  return { table, dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** Where the tables' folders start: `PREFIX/table=`. */
export function tablesPrefix(prefix: string): string {
  const root = normalizePrefix(prefix);
  return `${root ? `${root}/` : ""}table=`;
}

/** The folder of a table: `PREFIX/table=NAME/`. */
export function tablePrefix(prefix: string, table: string): string {
  return `${tablesPrefix(prefix)}${table}/`;
}

export function dayPrefix(prefix: string, table: string, dt: string): string {
  return `${tablePrefix(prefix, table)}dt=${dt}/`;
}

/** The folder of a partition: `PREFIX/table=NAME/dt=YYYY-MM-DD/hour=HH/`. */
export function partitionPrefix(prefix: string, partition: Partition): string {
  return `${dayPrefix(prefix, partition.table, partition.dt)}hour=${partition.hour}/`;
}

/**
 * The object for these changes of one partition: first and last sequence number, then a digest
 * of the eventIDs. The same changes always get the same key, so a retry overwrites its object.
 */
export function objectKey(
  prefix: string,
  partition: Partition,
  changes: { eventId: string; sequenceNumber: string }[],
): string {
  const sequences = changes.map((c) => c.sequenceNumber).sort(compareSequenceNumbers);
  const digest = createHash("sha256")
    .update(
      changes
        .map((c) => c.eventId)
        .sort()
        .join("\n"),
    )
    .digest("hex")
    .slice(0, 16);
  return `${partitionPrefix(prefix, partition)}${sequences[0]}-${sequences.at(-1)}-${digest}${OBJECT_SUFFIX}`;
}

/** Table and partition of an object key, or undefined for keys outside the layout. */
export function partitionOfKey(key: string): Partition | undefined {
  const match =
    /(?:^|\/)table=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/[^/]+\.jsonl\.gz$/.exec(key);
  return match ? { table: match[1]!, dt: match[2]!, hour: match[3]! } : undefined;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * What to list for changes created in [since, until): the days that lie wholly inside as one
 * `dt=` folder each, the hours of the edge days as `hour=` folders. Nothing outside the range.
 */
export function foldersInRange(
  since: Date,
  until: Date,
): { dt: string; hour?: string; start: number }[] {
  const folders: { dt: string; hour?: string; start: number }[] = [];
  let at = Math.floor(since.getTime() / HOUR_MS) * HOUR_MS;
  const end = until.getTime();
  while (at < end) {
    const { dt, hour } = partitionOf("", new Date(at));
    if (at % DAY_MS === 0 && at + DAY_MS <= end) {
      folders.push({ dt, start: at });
      at += DAY_MS;
    } else {
      folders.push({ dt, hour, start: at });
      at += HOUR_MS;
    }
  }
  return folders;
}
