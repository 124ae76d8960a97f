import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { DeadLetter, DeadLetterHook } from "@sluice/runtime";
import { type ClaimCheckOptions, checkIn } from "../claim-check.js";
import { toEnvelope } from "../envelope.js";
import { DeadLetterDeliveryError } from "../errors.js";
import { batchBySize, type RefusedEntry, type RetryOptions, sendWithRetries } from "../retry.js";

/**
 * PutEvents entry limit. AWS raised it from 256 KB to 1 MB in January 2026; some pages still say
 * 256 KB. 1,000,000 bytes is under either reading of "1 MB".
 */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 1_000_000;
const EVENTBRIDGE_MAX_ENTRIES = 10;
export const RECORD_FAILED = "RecordFailed";

export interface EventBridgeRouterOptions {
  eventBridge: EventBridgeClient;
  /** Name or ARN of the bus. Default: the account's default bus. */
  eventBusName?: string;
  /** Default `sluice`. */
  source?: string;
  /** Where envelopes over the entry limit go; the event's detail then carries a pointer. */
  claimCheck?: ClaimCheckOptions;
  /** Entry size limit as EventBridge computes it. Set 262144 where the old limit still applies. */
  maxEntryBytes?: number;
  retry?: RetryOptions;
}

interface Entry {
  id: string;
  entry: PutEventsRequestEntry;
}

/** A dead-letter hook that puts one `RecordFailed` event per envelope on an event bus. */
export function eventBridgeDeadLetterRouter(options: EventBridgeRouterOptions): DeadLetterHook {
  const destination = `EventBridge bus ${options.eventBusName ?? "default"}`;
  const max = options.maxEntryBytes ?? EVENTBRIDGE_MAX_ENTRY_BYTES;
  return async (letters: DeadLetter[]) => {
    const entries = await Promise.all(
      letters.map(async (letter, index): Promise<Entry> => {
        const envelope = toEnvelope(letter);
        const entry: PutEventsRequestEntry = {
          Source: options.source ?? "sluice",
          DetailType: RECORD_FAILED,
          Detail: JSON.stringify(envelope),
          EventBusName: options.eventBusName,
          Resources: envelope.record.eventSourceARN ? [envelope.record.eventSourceARN] : [],
        };
        if (entryBytes(entry) > max) {
          if (!options.claimCheck) {
            throw new DeadLetterDeliveryError(destination, [
              {
                id: envelope.id,
                code: "EntryTooLarge",
                message: `Event is ${entryBytes(entry)} bytes, over ${max}; configure claimCheck with an S3 bucket.`,
              },
            ]);
          }
          entry.Detail = JSON.stringify(await checkIn(options.claimCheck, envelope, entry.Detail!));
        }
        return { id: `e${index}`, entry };
      }),
    );
    await sendWithRetries(
      destination,
      entries,
      (pending) => batchBySize(pending, EVENTBRIDGE_MAX_ENTRIES, max, (e) => entryBytes(e.entry)),
      async (batch) => {
        const result = await options.eventBridge.send(
          new PutEventsCommand({ Entries: batch.map((e) => e.entry) }),
        );
        // Result entries line up with request entries; failed ones carry an ErrorCode.
        const refused: RefusedEntry[] = [];
        (result.Entries ?? []).forEach((outcome, i) => {
          const sent = batch[i];
          if (sent && outcome.ErrorCode) {
            refused.push({
              id: sent.id,
              code: outcome.ErrorCode,
              message: outcome.ErrorMessage ?? "",
              retryable: RETRYABLE.has(outcome.ErrorCode),
            });
          }
        });
        return refused;
      },
      options.retry,
    );
  };
}

const RETRYABLE = new Set(["InternalFailure", "ThrottlingException", "ServiceUnavailable"]);

/** EventBridge's own formula: Time (14 bytes), Source, DetailType, Detail and Resources in UTF-8. */
export function entryBytes(entry: PutEventsRequestEntry): number {
  let bytes = entry.Time ? 14 : 0;
  bytes += Buffer.byteLength(entry.Source ?? "") + Buffer.byteLength(entry.DetailType ?? "");
  bytes += Buffer.byteLength(entry.Detail ?? "");
  for (const resource of entry.Resources ?? []) bytes += Buffer.byteLength(resource);
  return bytes;
}
