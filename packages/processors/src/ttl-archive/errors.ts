import type { ChangeEvent } from "@sluice/records";

/** Why an expired item could not be archived or announced. */
export type TtlArchiveErrorCode =
  /** The stream's view type carries no old image: there is no expired item to archive. */
  | "MISSING_OLD_IMAGE"
  /** EventBridge rejected the ItemExpired event; it would reject it again. */
  | "EVENT_REJECTED"
  /** The ItemExpired event could not be put after the retries. */
  | "EVENT_NOT_PUT";

export class TtlArchiveError extends Error {
  override readonly name = "TtlArchiveError";
  readonly code: TtlArchiveErrorCode;
  readonly eventId: string;
  readonly record: unknown;

  constructor(code: TtlArchiveErrorCode, message: string, change: ChangeEvent<unknown>) {
    super(message);
    this.code = code;
    this.eventId = change.meta.eventId;
    this.record = change.raw;
  }
}
