import { createHash } from "node:crypto";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { type ChangeEvent, type Item, stringifyDecoded } from "@sluice/records";
import {
  type BatchProcessor,
  defaultClassifier,
  permanent,
  type RecordResult,
  type RetryOptions,
  transient,
} from "@sluice/runtime";

import { PublishEventsError } from "./publish-error.js";
import { type EventEntry, type FailedEntry, isPermanentFailure, putEvents } from "./put-events.js";

/** One event a change maps to; `source` and `time` come from the processor and the record. */
export interface PublishedEvent {
  detailType: string;
  detail: Record<string, unknown>;
  resources?: string[];
}

export interface PublishEventsOptions<T> {
  name: string;
  client: EventBridgeClient;
  eventBusName: string;
  source: string;
  /** The events of one change, in the order to publish them; `undefined` or `[]` for none. */
  events: (change: ChangeEvent<T>) => PublishedEvent[] | undefined;
  /** Backoff for entries EventBridge failed with InternalFailure or ThrottlingException. */
  retry?: RetryOptions;
  /**
   * Default true: an item's events are put one after another, each once the previous one was
   * accepted, so a hot item costs a call per event. False: they share calls (10 a call), and
   * when one fails for now, the item's later events of the batch may already be on the bus.
   */
  orderPerItem?: boolean;
}

/**
 * The id of the `index`th event of a change: the same for every delivery of the record, so a
 * consumer can drop copies. A digest keeps it short and within SQS deduplication id characters.
 */
export function publishedEventId(
  change: ChangeEvent<unknown>,
  detailType: string,
  index: number,
): string {
  return createHash("sha256")
    .update(`${change.meta.eventId}\n${detailType}\n${index}`)
    .digest("hex");
}

/** Keys in a fixed order, so two changes of one item always give the same text. */
const itemKeyOf = (change: ChangeEvent<unknown>) =>
  stringifyDecoded(
    Object.fromEntries(Object.entries(change.keys as Record<string, unknown>).sort()),
  );

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function isPublishedEvent(value: unknown): value is PublishedEvent {
  return (
    isObject(value) &&
    typeof value.detailType === "string" &&
    value.detailType.length > 0 &&
    isObject(value.detail) &&
    (value.resources === undefined ||
      (Array.isArray(value.resources) && value.resources.every((r) => typeof r === "string")))
  );
}

type Plan<T> =
  | { kind: "publish"; change: ChangeEvent<T>; entries: EventEntry[] }
  | { kind: "failed"; change: ChangeEvent<T>; error: unknown; blocksItem: boolean }
  | { kind: "held"; change: ChangeEvent<T> };

/** Maps one change to its entries, or to the error of a throwing or invalid `events` function. */
function planChange<T>(
  options: PublishEventsOptions<T>,
  change: ChangeEvent<T>,
  itemKey: string,
): Plan<T> {
  let events: unknown;
  try {
    events = options.events(change);
  } catch (error) {
    // Poison is dead-lettered and the item goes on; anything else may pass on redelivery.
    return { kind: "failed", change, error, blocksItem: defaultClassifier(error) !== "permanent" };
  }
  if (events === undefined || events === null) return { kind: "publish", change, entries: [] };
  if (!Array.isArray(events) || !events.every(isPublishedEvent)) {
    const error = new PublishEventsError(
      "INVALID_EVENTS",
      `events() must return an array of { detailType: non-empty string, detail: object, resources?: string[] }; it returned ${stringifyDecoded(events).slice(0, 200)}`,
      change,
    );
    return { kind: "failed", change, error: permanent(error), blocksItem: false };
  }
  const entries = events.map(
    (event, index): EventEntry => ({
      id: publishedEventId(change, event.detailType, index),
      source: options.source,
      detailType: event.detailType,
      detail: event.detail,
      ...(change.meta.approximateCreationTime && { time: change.meta.approximateCreationTime }),
      ...(event.resources && { resources: event.resources }),
      ...(options.orderPerItem !== false && { orderingKey: itemKey }),
    }),
  );
  return { kind: "publish", change, entries };
}

const earlierChangePending = (change: ChangeEvent<unknown>) =>
  new PublishEventsError(
    "EARLIER_CHANGE_PENDING",
    "An earlier change of this item was not published; this one follows it on redelivery",
    change,
  );

/** The result of a change whose entries were sent, from the entries that failed. */
function resultOf(change: ChangeEvent<unknown>, failures: FailedEntry[]): RecordResult {
  if (failures.length === 0) return { ok: true };
  const codes = failures
    .map((failure) => `${failure.entry.detailType}: ${failure.code}`)
    .join(", ");
  // Transient first: a redelivery retries every event of the change, the rejected one included.
  if (failures.some((failure) => !isPermanentFailure(failure))) {
    const message = `Events of the change could not be put after the retries (${codes})`;
    return {
      ok: false,
      error: transient(new PublishEventsError("PUT_FAILED", message, change, failures)),
    };
  }
  const message = `EventBridge rejected events of the change (${codes})`;
  return {
    ok: false,
    error: permanent(new PublishEventsError("EVENT_REJECTED", message, change, failures)),
  };
}

/**
 * A batch processor that publishes the events each change maps to on an EventBridge bus, in
 * PutEvents calls of up to 10 entries, retrying only failed entries. Each event carries a
 * deterministic id in `detail["sluice-event-id"]`; an item's changes are published in order.
 */
export function publishEvents<T = Item>(options: PublishEventsOptions<T>): BatchProcessor<T> {
  for (const setting of ["name", "eventBusName", "source"] as const) {
    if (typeof options[setting] !== "string" || options[setting].length === 0) {
      throw new TypeError(`publishEvents needs a non-empty ${setting}.`);
    }
  }
  if (typeof options.events !== "function") {
    throw new TypeError("publishEvents needs `events`, a function from a change to its events.");
  }
  return {
    name: options.name,
    async process(changes, ctx) {
      const itemKeys = changes.map(itemKeyOf);
      // Changes of an item after one that may pass on redelivery are not sent before it.
      const stalled = new Set<string>();
      const plans = changes.map((change, i): Plan<T> => {
        if (stalled.has(itemKeys[i]!)) return { kind: "held", change };
        const plan = planChange(options, change, itemKeys[i]!);
        if (plan.kind === "failed" && plan.blocksItem) stalled.add(itemKeys[i]!);
        return plan;
      });
      const failures = await putEvents(
        {
          client: options.client,
          eventBusName: options.eventBusName,
          ...(options.retry && { retry: options.retry }),
          signal: ctx.signal,
        },
        plans.flatMap((plan) => (plan.kind === "publish" ? plan.entries : [])),
      );
      const failureOf = new Map(failures.map((failure) => [failure.entry, failure]));

      // Again in order: a change that failed for now holds its item's later ones, sent or not.
      stalled.clear();
      return plans.map((plan, i): RecordResult => {
        const itemKey = itemKeys[i]!;
        const result: RecordResult =
          stalled.has(itemKey) || plan.kind === "held"
            ? { ok: false, error: transient(earlierChangePending(plan.change)) }
            : plan.kind === "failed"
              ? { ok: false, error: plan.error }
              : resultOf(
                  plan.change,
                  plan.entries.flatMap((entry) => failureOf.get(entry) ?? []),
                );
        const blocks =
          plan.kind === "failed" && !stalled.has(itemKey)
            ? plan.blocksItem
            : !result.ok && defaultClassifier(result.error) !== "permanent";
        if (blocks) stalled.add(itemKey);
        return result;
      });
    },
  };
}
