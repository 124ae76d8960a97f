import { gunzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { type ChangeEvent, type DecodeOptions, decodeRecord, type Item } from "@sluice/records";
import { AuditArchiveError } from "./errors.js";
import { type LineMeta, parseArchiveLine } from "./parse-line.js";
import {
  dayPrefix,
  foldersInRange,
  normalizePrefix,
  partitionOfKey,
  partitionPrefix,
  tablesPrefix,
} from "./partition.js";
import { DEFAULT_AUDIT_PREFIX } from "./processor.js";

export interface ReadAuditArchiveOptions {
  s3: S3Client;
  bucket: string;
  /** Folder of the archive in the bucket. Default `audit`. */
  prefix?: string;
  /** Only this table. Default: every table in the archive. */
  table?: string;
  /** Changes created at or after this time... */
  since: Date;
  /** ...and before this one. */
  until: Date;
  /** How the changes decode (numbers, TTL inference), as in `streamHandler`. */
  decode?: DecodeOptions;
  /**
   * Called with each line or object that cannot be read, which is then left out. Without it,
   * reading stops with that error.
   */
  onMalformed?: (error: AuditArchiveError) => void;
  /** Objects downloaded at once. Default 8. */
  concurrency?: number;
}

async function* listKeys(s3: S3Client, bucket: string, prefix: string): AsyncIterable<string> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** The tables that have a `table=` folder under the prefix. */
async function tablesOf(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const under = tablesPrefix(prefix);
  const tables: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: under,
        Delimiter: "/",
        ContinuationToken: token,
      }),
    );
    for (const common of page.CommonPrefixes ?? []) {
      const name = common.Prefix?.slice(under.length, -1);
      if (name) tables.push(name);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return tables;
}

function located(error: unknown, key: string, line?: number): AuditArchiveError {
  const where = line === undefined ? key : `${key} line ${line}`;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof AuditArchiveError ? error.code : "MALFORMED_LINE";
  return new AuditArchiveError(code, `${where}: ${message}`, {
    key,
    ...(line === undefined ? {} : { line }),
    cause: error,
  });
}

interface ArchivedChange<T> {
  meta: LineMeta;
  event: ChangeEvent<T>;
}

async function readObject<T>(
  s3: S3Client,
  bucket: string,
  key: string,
  options: Pick<ReadAuditArchiveOptions, "decode">,
  report: (error: AuditArchiveError) => void,
): Promise<ArchivedChange<T>[]> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
  let text: string;
  try {
    text = gunzipSync(bytes).toString("utf8");
  } catch (error) {
    report(located(new AuditArchiveError("MALFORMED_OBJECT", "not gzip", { cause: error }), key));
    return [];
  }
  const changes: ArchivedChange<T>[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    try {
      const { meta, record } = parseArchiveLine(line);
      const event = decodeRecord<T>(record, {
        source: "lambda",
        position: index,
        ...(options.decode && { options: options.decode }),
      });
      changes.push({ meta, event });
    } catch (error) {
      report(located(error, key, index + 1));
    }
  }
  return changes;
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Time, then sequence number (as integers): each item's changes in the order they were made. */
function byTimeThenSequence(a: { meta: LineMeta }, b: { meta: LineMeta }): number {
  const time =
    Date.parse(a.meta.approximateCreationTime) - Date.parse(b.meta.approximateCreationTime);
  if (time !== 0) return time;
  const x = BigInt(a.meta.sequenceNumber);
  const y = BigInt(b.meta.sequenceNumber);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The archived changes created in [since, until), each once (a change that two deliveries wrote
 * to two objects is deduplicated by eventID), in order of creation time and then sequence number,
 * so each item's changes come in the order they were made. Lists only the partitions in the range
 * and holds one hour of changes in memory at a time. Each change's `raw` is the stream record
 * rebuilt in Lambda's JSON form; `meta.position` is its line in its object.
 */
export async function* readAuditArchive<T = Item>(
  options: ReadAuditArchiveOptions,
): AsyncGenerator<ChangeEvent<T>> {
  const { s3, bucket, since, until } = options;
  const prefix = normalizePrefix(options.prefix ?? DEFAULT_AUDIT_PREFIX);
  if (!(since.getTime() < until.getTime())) {
    throw new AuditArchiveError(
      "INVALID_OPTION",
      `since (${since.toISOString()}) must come before until (${until.toISOString()})`,
    );
  }
  const report =
    options.onMalformed ??
    ((error: AuditArchiveError) => {
      throw error;
    });
  const tables = options.table ? [options.table] : await tablesOf(s3, bucket, prefix);
  for (const folder of foldersInRange(since, until)) {
    // One folder is a day or an hour; its objects are read and ordered an hour at a time.
    const hours = new Map<string, string[]>();
    for (const table of tables) {
      const under =
        folder.hour === undefined
          ? dayPrefix(prefix, table, folder.dt)
          : partitionPrefix(prefix, { table, dt: folder.dt, hour: folder.hour });
      for await (const key of listKeys(s3, bucket, under)) {
        const partition = partitionOfKey(key);
        if (!partition) continue;
        hours.set(partition.hour, [...(hours.get(partition.hour) ?? []), key]);
      }
    }
    for (const hour of [...hours.keys()].sort()) {
      const objects = await mapLimited(hours.get(hour)!, options.concurrency ?? 8, (key) =>
        readObject<T>(s3, bucket, key, options, report),
      );
      const seen = new Set<string>();
      const changes: ArchivedChange<T>[] = [];
      for (const line of objects.flat()) {
        const at = Date.parse(line.meta.approximateCreationTime);
        if (at < since.getTime() || at >= until.getTime() || seen.has(line.meta.eventId)) continue;
        seen.add(line.meta.eventId);
        changes.push(line);
      }
      changes.sort(byTimeThenSequence);
      for (const { event } of changes) yield event;
    }
  }
}
