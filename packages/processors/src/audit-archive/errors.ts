/** Why a change could not be archived, or an archive could not be read. */
export type AuditArchiveErrorCode =
  /** The change has no approximate creation time, so it has no dt/hour partition. */
  | "NO_CREATION_TIME"
  /** Neither the stream ARN nor the options name the table. */
  | "NO_TABLE_NAME"
  /** An attribute value of a type DynamoDB does not have. */
  | "UNKNOWN_ATTRIBUTE_TYPE"
  /** A line of an archive object is not a change in the archive's format. */
  | "MALFORMED_LINE"
  /** An archive object is not gzipped JSON Lines. */
  | "MALFORMED_OBJECT"
  /** An option that cannot be used: a name Athena refuses, an empty time range. */
  | "INVALID_OPTION";

export interface AuditArchiveErrorDetails {
  /** The change it came from. */
  eventId?: string;
  record?: unknown;
  /** The archive object and 1-based line it came from. */
  key?: string;
  line?: number;
  cause?: unknown;
}

export class AuditArchiveError extends Error {
  override readonly name = "AuditArchiveError";
  readonly code: AuditArchiveErrorCode;
  readonly eventId: string | undefined;
  readonly record: unknown;
  readonly key: string | undefined;
  readonly line: number | undefined;

  constructor(
    code: AuditArchiveErrorCode,
    message: string,
    details: AuditArchiveErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.eventId = details.eventId;
    this.record = details.record;
    this.key = details.key;
    this.line = details.line;
  }
}
