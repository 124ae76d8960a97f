import type { ChangeEvent } from "@sluice/records";
import type { FailedEntry } from "./put-events.js";

export type PublishEventsErrorCode =
  /** The `events` function returned something other than a list of `{ detailType, detail }`. */
  | "INVALID_EVENTS"
  /** EventBridge (or the size check) rejected an event of the change: it would every time. */
  | "EVENT_REJECTED"
  /** An event of the change could not be put after the retries. */
  | "PUT_FAILED"
  /** An earlier change of the same item was not published, so this one waits for it. */
  | "EARLIER_CHANGE_PENDING";

/** Why a change's events were not published, with the record it came from. */
export class PublishEventsError extends Error {
  override readonly name = "PublishEventsError";
  readonly code: PublishEventsErrorCode;
  readonly eventId: string;
  readonly sequenceNumber: string;
  /** The entries that failed, with EventBridge's codes. */
  readonly failures: FailedEntry[];

  constructor(
    code: PublishEventsErrorCode,
    message: string,
    change: ChangeEvent<unknown>,
    failures: FailedEntry[] = [],
  ) {
    super(`${message} (record ${change.meta.eventId}, sequence ${change.meta.sequenceNumber})`);
    this.code = code;
    this.eventId = change.meta.eventId;
    this.sequenceNumber = change.meta.sequenceNumber;
    this.failures = failures;
  }
}
