import type { ChangeEvent } from "@sluice/records";
import { PoisonRecordError } from "@sluice/runtime";

export type AggregateErrorCode =
  /** A measure's value is present but not a number DynamoDB can store. */
  | "INVALID_MEASURE_VALUE"
  /** The bucket's date is absent or does not parse. */
  | "INVALID_BUCKET_DATE"
  /** `key` returned something other than a non-empty string or undefined. */
  | "INVALID_KEY"
  /** The stream's view type lacks an image the change needs (use NEW_AND_OLD_IMAGES). */
  | "MISSING_IMAGE"
  /** The batch's sum for one aggregate needs more than DynamoDB's 38 significant digits. */
  | "SUM_OUT_OF_RANGE"
  /** DynamoDB refused the change's write (a stored sum past 38 digits, an item past 400 KB). */
  | "WRITE_REFUSED";

/**
 * A change the aggregate can never apply: permanent, so the runtime dead-letters it with its
 * record and the batch goes on. `image` says which image held the bad value.
 */
export class AggregateInputError extends PoisonRecordError {
  readonly code: AggregateErrorCode;
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly image: "oldImage" | "newImage" | undefined;

  constructor(
    code: AggregateErrorCode,
    detail: string,
    event: ChangeEvent<unknown>,
    image?: "oldImage" | "newImage",
    options?: ErrorOptions,
  ) {
    super(
      `${code}: ${image ? `${image}: ` : ""}${detail} (event ${event.meta.eventId}, sequence number ${event.meta.sequenceNumber})`,
      options,
    );
    this.code = code;
    this.eventId = event.meta.eventId;
    this.sequenceNumber = event.meta.sequenceNumber;
    this.image = image;
  }
}
