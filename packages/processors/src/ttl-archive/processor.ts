import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { S3Client } from "@aws-sdk/client-s3";
import type { ChangeEvent, Item } from "@sluice/records";
import {
  type BatchProcessor,
  permanent,
  type RecordResult,
  type RetryOptions,
  transient,
} from "@sluice/runtime";
import type { UploadSettings } from "../audit-archive/upload.js";
import { writeArchive } from "../audit-archive/write.js";
import { type FailedEntry, isPermanentFailure, putEvents } from "../publish-events/index.js";
import { TtlArchiveError } from "./errors.js";
import { type ItemExpiredSettings, itemExpiredEntry } from "./item-expired.js";

export const DEFAULT_TTL_PREFIX = "expired";

export interface TtlArchiveOptions extends UploadSettings {
  s3: S3Client;
  bucket: string;
  /** Folder of the archive in the bucket. Default `expired`. */
  prefix?: string;
  /** Names the processor's checkpoint, logs and metrics. Default `ttl-archive`. */
  name?: string;
  /** Table name for the `table=` partition and the lines. Default: the table of the stream ARN. */
  table?: string;
  /** Also put an `ItemExpired` event on this bus for each archived item. */
  events?: ItemExpiredSettings & {
    client: EventBridgeClient;
    eventBusName: string;
    /** Backoff for entries EventBridge failed with InternalFailure or throttling. */
    retry?: RetryOptions;
  };
}

const isTtlDeletion = (change: ChangeEvent<unknown>) =>
  change.kind === "remove" && change.cause === "ttl";

function eventFailure(change: ChangeEvent<unknown>, failure: FailedEntry): RecordResult {
  const what = `ItemExpired for ${change.meta.eventId}: ${failure.code}: ${failure.message}`;
  return isPermanentFailure(failure)
    ? { ok: false, error: permanent(new TtlArchiveError("EVENT_REJECTED", what, change)) }
    : { ok: false, error: transient(new TtlArchiveError("EVENT_NOT_PUT", what, change)) };
}

/**
 * Archives the items that TTL deleted (the old image of each TTL removal, in the audit archive's
 * format and layout) and optionally announces each one with an `ItemExpired` event. Every other
 * change succeeds untouched; pair it with `ttlFilterCriteria` so Lambda does not even send them.
 */
export function ttlArchive<T = Item>(options: TtlArchiveOptions): BatchProcessor<T> {
  const {
    name = "ttl-archive",
    prefix = DEFAULT_TTL_PREFIX,
    events: announce,
    ...target
  } = options;
  // The retry of a failed ItemExpired event, in the same invocation, does not archive again.
  const archived = new WeakSet<ChangeEvent<unknown>>();
  return {
    name,
    async process(changes, ctx) {
      const results: RecordResult[] = changes.map(() => ({ ok: true }));
      const expired: number[] = [];
      for (const [index, change] of changes.entries()) {
        if (!isTtlDeletion(change)) continue;
        if (change.raw.dynamodb?.OldImage === undefined) {
          const message = `TTL deletion ${change.meta.eventId} carries no old image: the stream needs the OLD_IMAGE or NEW_AND_OLD_IMAGES view type`;
          const error = new TtlArchiveError("MISSING_OLD_IMAGE", message, change);
          results[index] = { ok: false, error: permanent(error) };
        } else {
          expired.push(index);
        }
      }
      const toWrite = expired.filter((index) => !archived.has(changes[index]!));
      const written = await writeArchive(
        toWrite.map((index) => changes[index]!),
        { ...target, prefix },
        ctx.signal,
      );
      for (const [i, result] of written.entries()) {
        const index = toWrite[i]!;
        if (result.ok) archived.add(changes[index]!);
        else results[index] = result;
      }
      if (!announce) return results;

      const toAnnounce = expired.filter((index) => archived.has(changes[index]!));
      const entries = toAnnounce.map((index) => {
        const change = changes[index]!;
        return itemExpiredEntry(change, target.table ?? change.meta.tableName ?? "", announce);
      });
      const failures = await putEvents(
        {
          client: announce.client,
          eventBusName: announce.eventBusName,
          ...(announce.retry && { retry: announce.retry }),
          signal: ctx.signal,
        },
        entries,
      );
      const failureOf = new Map(failures.map((failure) => [failure.entry, failure]));
      for (const [i, index] of toAnnounce.entries()) {
        const failure = failureOf.get(entries[i]!);
        if (failure) results[index] = eventFailure(changes[index]!, failure);
      }
      return results;
    },
  };
}
