import type { ChangeEvent } from "@sluice/records";

export type SearchIndexErrorCode =
  /** The `id` function returned no text, or text over OpenSearch's 512 bytes. */
  | "INVALID_DOCUMENT_ID"
  /** No version could be derived: the version attribute is missing or not an integer in range. */
  | "INVALID_VERSION"
  /** The stream does not carry the image this change needs (see the view type). */
  | "MISSING_IMAGE"
  /** The sink refused the document for good (a mapping or parse error): it would every time. */
  | "DOCUMENT_REJECTED"
  /** The sink kept refusing the write for now (throttled, unavailable) after the retries. */
  | "WRITE_FAILED"
  /** `toDocument` returned something other than an object or undefined. */
  | "INVALID_DOCUMENT"
  /** A later change of the same document in this batch is not written yet; this one waits for it. */
  | "LATER_CHANGE_PENDING";

/** Why a change did not reach the index, with the record and the document it concerns. */
export class SearchIndexError extends Error {
  override readonly name = "SearchIndexError";
  readonly code: SearchIndexErrorCode;
  readonly eventId: string;
  readonly sequenceNumber: string;
  readonly index: string;
  readonly documentId: string | undefined;
  /** The sink's reason, e.g. `mapper_parsing_exception: failed to parse field [total]`. */
  readonly reason: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(
    code: SearchIndexErrorCode,
    message: string,
    change: ChangeEvent<unknown>,
    target: { index: string; documentId?: string; reason?: string; httpStatus?: number },
  ) {
    const document = target.documentId === undefined ? "" : ` ${target.documentId}`;
    super(
      `${message} (document${document} in ${target.index}; record ${change.meta.eventId}, sequence ${change.meta.sequenceNumber})`,
    );
    this.code = code;
    this.eventId = change.meta.eventId;
    this.sequenceNumber = change.meta.sequenceNumber;
    this.index = target.index;
    this.documentId = target.documentId;
    this.reason = target.reason;
    this.httpStatus = target.httpStatus;
  }
}
