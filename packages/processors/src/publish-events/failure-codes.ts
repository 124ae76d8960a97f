/**
 * The key in `detail` that carries the deterministic event id. EventBridge assigns its own `id`
 * to every put, so a retried put gets a new one; this key stays the same.
 */
export const SLUICE_EVENT_ID_KEY = "sluice-event-id";

/** Codes sluice gives entries it fails before or instead of sending them. */
export const SLUICE_CODES = {
  /** Over EventBridge's entry size limit: it would be rejected on every try. */
  entryTooLarge: "EntryTooLarge",
  /** `detail` already holds `SLUICE_EVENT_ID_KEY` with another value. */
  reservedDetailKey: "ReservedDetailKey",
  /** An earlier entry of the same ordering key was not put, so this one was not sent. */
  precedingEntryFailed: "PrecedingEntryFailed",
  /** The invocation's deadline came before the entry was put. */
  aborted: "Aborted",
} as const;

/** EventBridge's per-entry codes worth retrying in the same call, as its API reference lists them. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  "InternalFailure",
  "ThrottlingException",
]);

/**
 * Codes that describe the entry itself, so it fails the same way on every delivery: its change
 * is dead-lettered. Permission and configuration codes (AccessDeniedException,
 * NotAuthorizedForSourceException, ResourceNotFoundException…) are not here: they are not
 * retried in the call, but the change is redelivered instead of dead-lettered, so fixing the
 * deployment loses nothing.
 */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  "InvalidArgument",
  "MalformedDetail",
  SLUICE_CODES.entryTooLarge,
  SLUICE_CODES.reservedDetailKey,
]);

export const isPermanentCode = (code: string): boolean => PERMANENT_CODES.has(code);
