import type { S3Client } from "@aws-sdk/client-s3";
import type { ChangeEvent } from "@sluice/records";
import { permanent, type RecordResult, transient } from "@sluice/runtime";
import { AuditArchiveError } from "./errors.js";
import { archiveLine } from "./line.js";
import { objectKey, type Partition, partitionOf } from "./partition.js";
import { type UploadSettings, uploadGzippedLines } from "./upload.js";

/** Where and how an archive is written. */
export interface ArchiveTarget extends UploadSettings {
  s3: S3Client;
  bucket: string;
  prefix: string;
  /** The table name in keys and lines; default the table of the stream ARN. */
  table?: string;
}

/** Objects uploaded at once; a batch rarely spans more than two hours. */
const CONCURRENT_OBJECTS = 4;

interface Group {
  partition: Partition;
  indexes: number[];
}

function partitionOfEvent(event: ChangeEvent<unknown>, table: string | undefined): Partition {
  const { meta } = event;
  const name = table ?? meta.tableName;
  if (!name) {
    throw new AuditArchiveError(
      "NO_TABLE_NAME",
      `Change ${meta.eventId} names no table (no stream ARN): set the processor's \`table\` option`,
      { eventId: meta.eventId, record: event.raw },
    );
  }
  if (!meta.approximateCreationTime) {
    throw new AuditArchiveError(
      "NO_CREATION_TIME",
      `Change ${meta.eventId} has no ApproximateCreationDateTime, so no dt/hour partition`,
      { eventId: meta.eventId, record: event.raw },
    );
  }
  return partitionOf(name, meta.approximateCreationTime);
}

function lineOf(event: ChangeEvent<unknown>, table: string): string {
  try {
    return archiveLine(event, table);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AuditArchiveError(
      error instanceof AuditArchiveError ? error.code : "UNKNOWN_ATTRIBUTE_TYPE",
      `Change ${event.meta.eventId} cannot be archived: ${reason}`,
      { eventId: event.meta.eventId, record: event.raw, cause: error },
    );
  }
}

/**
 * Writes the changes as one gzipped JSON Lines object per partition (table, UTC hour) and returns
 * one result per change, in order. A change whose object was not written fails, to be retried;
 * a change that can never be written (no table, no time) fails permanently and is dead-lettered.
 */
export async function writeArchive(
  events: ChangeEvent<unknown>[],
  target: ArchiveTarget,
  signal?: AbortSignal,
): Promise<RecordResult[]> {
  const results: RecordResult[] = events.map(() => ({ ok: true }));
  const groups = new Map<string, Group>();
  events.forEach((event, index) => {
    try {
      const partition = partitionOfEvent(event, target.table);
      const id = `${partition.table}/${partition.dt}/${partition.hour}`;
      const group = groups.get(id) ?? { partition, indexes: [] };
      group.indexes.push(index);
      groups.set(id, group);
    } catch (error) {
      results[index] = { ok: false, error: permanent(error) };
    }
  });

  const write = async ({ partition, indexes }: Group) => {
    const members = indexes.map((index) => events[index]!);
    const key = objectKey(
      target.prefix,
      partition,
      members.map((event) => event.meta),
    );
    let poison: { index: number; error: unknown } | undefined;
    function* lines() {
      for (const [i, event] of members.entries()) {
        try {
          yield lineOf(event, partition.table);
        } catch (error) {
          poison = { index: indexes[i]!, error };
          throw error;
        }
      }
    }
    try {
      await uploadGzippedLines(target.s3, { bucket: target.bucket, key }, lines(), {
        ...(target.partSize !== undefined && { partSize: target.partSize }),
        ...(target.queueSize !== undefined && { queueSize: target.queueSize }),
        ...(signal && { signal }),
      });
    } catch (error) {
      for (const index of indexes) {
        // The object goes without the poison change on the next attempt: its own key, its own try.
        results[index] =
          poison === undefined
            ? { ok: false, error }
            : index === poison.index
              ? { ok: false, error: permanent(poison.error) }
              : {
                  ok: false,
                  error: transient(
                    new Error(`Not archived: a change of ${key} cannot be; retried without it`),
                  ),
                };
      }
    }
  };

  const queue = [...groups.values()];
  const workers = Array.from({ length: Math.min(CONCURRENT_OBJECTS, queue.length) }, async () => {
    for (let group = queue.shift(); group; group = queue.shift()) await write(group);
  });
  await Promise.all(workers);
  return results;
}
