import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import { stringifyDecoded } from "@sluice/records";
import { defaultClassifier, type RetryOptions } from "@sluice/runtime";
import { entrySize, MAX_ENTRY_BYTES, packCall } from "./entry-size.js";
import {
  isPermanentCode,
  RETRYABLE_CODES,
  SLUICE_CODES,
  SLUICE_EVENT_ID_KEY,
} from "./failure-codes.js";

/** One event to put on a bus. `id` is derived from the stream record so consumers can deduplicate. */
export interface EventEntry {
  id: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
  resources?: string[];
  /**
   * Entries with the same key (an item) are put one at a time in array order: one is sent only
   * after the previous one was accepted. After one fails for now, the later ones are not sent
   * and come back failed with `PrecedingEntryFailed`; after one is rejected, they go on.
   */
  orderingKey?: string;
}

export interface PutEventsOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Backoff for failed entries: default 5 attempts, full jitter from 100 ms up to 2 s. */
  retry?: RetryOptions;
  /** Stops retrying when it aborts (pass the invocation's `ctx.signal`). */
  signal?: AbortSignal;
}

/** What could not be put after the retries, with EventBridge's error code per entry. */
export interface FailedEntry {
  entry: EventEntry;
  code: string;
  message: string;
}

interface Pending {
  entry: EventEntry;
  key: string | undefined;
  request: PutEventsRequestEntry;
  size: number;
  attempts: number;
}

type Attempt = { ok: true } | { ok: false; code: string; message: string; retryable: boolean };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The request entry, with the deterministic id inside `detail` where every target sees it. */
function toRequestEntry(
  entry: EventEntry,
  eventBusName: string,
): PutEventsRequestEntry | FailedEntry {
  const reserved = entry.detail[SLUICE_EVENT_ID_KEY];
  if (reserved !== undefined && reserved !== entry.id) {
    return {
      entry,
      code: SLUICE_CODES.reservedDetailKey,
      message: `detail["${SLUICE_EVENT_ID_KEY}"] is reserved for the event id ${entry.id}; the detail sets it to ${JSON.stringify(reserved)}.`,
    };
  }
  let detail: string;
  try {
    // Decoded images (bigint, Decimal, Set, bytes) are written without losing a digit.
    detail = stringifyDecoded({ ...entry.detail, [SLUICE_EVENT_ID_KEY]: entry.id });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { entry, code: "MalformedDetail", message: `detail is not JSON: ${reason}` };
  }
  return {
    EventBusName: eventBusName,
    Source: entry.source,
    DetailType: entry.detailType,
    Detail: detail,
    ...(entry.time && { Time: entry.time }),
    ...(entry.resources && { Resources: entry.resources }),
  };
}

/** One PutEvents call: a result per entry, a thrown call failing each entry alike. */
async function send(
  client: EventBridgeClient,
  batch: Pending[],
  signal?: AbortSignal,
): Promise<Attempt[]> {
  try {
    const output = await client.send(
      new PutEventsCommand({ Entries: batch.map((pending) => pending.request) }),
      { abortSignal: signal },
    );
    return batch.map((_, index): Attempt => {
      const result = output.Entries?.[index];
      if (result?.EventId && !result.ErrorCode) return { ok: true };
      const code = result?.ErrorCode ?? "MissingResult";
      return {
        ok: false,
        code,
        message: result?.ErrorMessage ?? "PutEvents returned no result for this entry.",
        retryable: RETRYABLE_CODES.has(code),
      };
    });
  } catch (error) {
    const failure: Attempt = {
      ok: false,
      code: error instanceof Error ? error.name : "UnknownError",
      message: error instanceof Error ? error.message : String(error),
      // A call that never answered (network, timeout, 5xx, throttled) may pass on a retry.
      retryable: defaultClassifier(error) !== "permanent",
    };
    return batch.map(() => failure);
  }
}

/**
 * Puts the entries in PutEvents calls of at most 10 entries and the entry size limit, retrying
 * only the failed entries. Resolves with those that still failed.
 *
 * Calls go one after another. An entry with an `orderingKey` is sent only after the previous
 * entry of its key was accepted, so a key's entries reach the bus in array order.
 */
export async function putEvents(
  options: PutEventsOptions,
  entries: EventEntry[],
): Promise<FailedEntry[]> {
  const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 5);
  const baseDelay = options.retry?.baseDelayMs ?? 100;
  const maxDelay = options.retry?.maxDelayMs ?? 2_000;
  const random = options.retry?.random ?? Math.random;
  const sleep = options.retry?.sleep ?? defaultSleep;

  const failed = new Map<EventEntry, FailedEntry>();
  let pending: Pending[] = [];
  for (const entry of entries) {
    const request = toRequestEntry(entry, options.eventBusName);
    if ("code" in request) {
      failed.set(entry, request);
      continue;
    }
    const size = entrySize(request);
    if (size > MAX_ENTRY_BYTES) {
      failed.set(entry, {
        entry,
        code: SLUICE_CODES.entryTooLarge,
        message: `The entry is ${size} bytes; EventBridge accepts at most ${MAX_ENTRY_BYTES} (Time 14 bytes, Source, DetailType, Detail and Resources in UTF-8).`,
      });
      continue;
    }
    pending.push({ entry, key: entry.orderingKey, request, size, attempts: 0 });
  }

  // Keys whose entry gave up for a transient reason: their later entries wait for redelivery.
  const stopped = new Map<string, EventEntry>();
  const giveUp = (item: Pending, code: string, message: string) => {
    failed.set(item.entry, { entry: item.entry, code, message });
    if (item.key !== undefined && !isPermanentCode(code) && !stopped.has(item.key)) {
      stopped.set(item.key, item.entry);
    }
  };

  for (let round = 1; pending.length > 0; round++) {
    const retry = new Set<Pending>();
    const ready = (item: Pending) =>
      !retry.has(item) && (item.key === undefined || !stopped.has(item.key));
    for (let call = packCall(pending, ready); call.length > 0; call = packCall(pending, ready)) {
      const results = await send(options.client, call, options.signal);
      const accepted = new Set<Pending>();
      call.forEach((item, index) => {
        const result = results[index]!;
        item.attempts++;
        if (result.ok) accepted.add(item);
        else if (result.retryable && item.attempts < maxAttempts && !options.signal?.aborted) {
          retry.add(item);
        } else giveUp(item, result.code, result.message);
      });
      pending = pending.filter((item) => !accepted.has(item) && !failed.has(item.entry));
    }
    // What is left failed for now or waits behind an entry of its key that did.
    for (const item of pending) {
      const blocker = item.key === undefined ? undefined : stopped.get(item.key);
      if (blocker) {
        giveUp(
          item,
          SLUICE_CODES.precedingEntryFailed,
          `Not sent: the earlier event ${blocker.id} with ordering key ${item.key} was not put.`,
        );
      } else if (options.signal?.aborted) {
        giveUp(item, SLUICE_CODES.aborted, "Not sent: the invocation is near its deadline.");
      }
    }
    pending = pending.filter((item) => !failed.has(item.entry));
    if (pending.length > 0) {
      await sleep(Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** (round - 1))));
    }
  }
  return entries.flatMap((entry) => {
    const failure = failed.get(entry);
    return failure ? [failure] : [];
  });
}

/**
 * Whether the entry fails the same way on every try (invalid, malformed, too large): its change
 * can be dead-lettered. Anything else may pass later and must be redelivered.
 */
export const isPermanentFailure = (failed: FailedEntry): boolean => isPermanentCode(failed.code);
