import type { StandardSchemaV1 } from "@standard-schema/spec";

/** Why a record could not be decoded. */
export type DecodeErrorCode =
  | "NOT_A_STREAM_RECORD"
  | "UNKNOWN_SOURCE"
  | "UNKNOWN_ATTRIBUTE_TYPE"
  | "INVALID_NUMBER"
  | "INVALID_BINARY"
  | "MISSING_IMAGE"
  | "INVALID_KINESIS_PAYLOAD"
  | "NO_MATCHING_ENTITY"
  | "SCHEMA_VALIDATION";

/**
 * A record that sluice cannot turn into a change event. It is permanent: retrying will not fix it,
 * so the runtime dead-letters it at once. `eventId` and `position` say which record it was.
 */
export class SluiceDecodeError extends Error {
  override readonly name = "SluiceDecodeError";
  readonly code: DecodeErrorCode;
  readonly eventId: string | undefined;
  readonly position: number | undefined;
  /** Attribute path inside the image, such as `NewImage.items[2].price`. */
  readonly path: string | undefined;
  readonly record: unknown;
  /** What a Standard Schema reported, for SCHEMA_VALIDATION. */
  readonly issues: readonly StandardSchemaV1.Issue[] | undefined;

  constructor(
    code: DecodeErrorCode,
    message: string,
    where: {
      eventId?: string;
      position?: number;
      path?: string;
      record?: unknown;
      cause?: unknown;
      issues?: readonly StandardSchemaV1.Issue[];
    } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.code = code;
    this.eventId = where.eventId;
    this.position = where.position;
    this.path = where.path;
    this.record = where.record;
    this.issues = where.issues;
  }
}

/** One record that failed to decode, beside the good ones. */
export interface DecodeFailure {
  error: SluiceDecodeError;
  record: unknown;
  position: number;
}
