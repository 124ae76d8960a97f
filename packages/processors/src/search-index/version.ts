import { type ChangeEvent, isSequenceNumber } from "@sluice/records";

/** OpenSearch external versions are Java longs: 0 to 2^63 - 1. */
export const MAX_VERSION = 2n ** 63n - 1n;

/** The low digits of the sequence number kept below the seconds. */
export const SEQUENCE_DIGITS = 9;
const SEQUENCE_FACTOR = 10n ** BigInt(SEQUENCE_DIGITS);

/**
 * Where a document's version comes from:
 * - `"stream"` (default): the change itself, see `streamVersion`;
 * - `{ attribute }`: an integer attribute of the item that grows with every write of it.
 */
export type VersionSource = "stream" | { attribute: string };

/** Why no version could be derived; the processor turns it into a `SearchIndexError`. */
export class VersionError extends Error {
  override readonly name = "VersionError";
}

/**
 * `seconds × 10^9 + (sequence number mod 10^9)`, with `seconds` the change's approximate
 * creation time (DynamoDB rounds it down to the second).
 *
 * It fits a signed 64-bit long until the year 2262. Within one item it grows with the sequence
 * number when the two changes are in different seconds (creation time does not go back between
 * two writes of one item), and within one second unless the stream's sequence numbers crossed a
 * multiple of 10^9 between the two changes. Sequence numbers wider than a long cannot be kept
 * whole; OpenSearch Ingestion keeps 6 digits for a counter, 9 make that crossing 1,000 times
 * rarer. A redelivered change gets the same version, so it is recognised as stale.
 */
export function streamVersion(change: ChangeEvent<unknown>): bigint {
  const created = change.meta.approximateCreationTime;
  if (created === undefined || Number.isNaN(created.getTime()) || created.getTime() < 0) {
    throw new VersionError("the record has no approximate creation time to derive a version from");
  }
  if (!isSequenceNumber(change.meta.sequenceNumber)) {
    throw new VersionError(
      `sequence number ${JSON.stringify(change.meta.sequenceNumber)} is not digits`,
    );
  }
  const seconds = BigInt(Math.floor(created.getTime() / 1000));
  const version =
    seconds * SEQUENCE_FACTOR + (BigInt(change.meta.sequenceNumber) % SEQUENCE_FACTOR);
  if (version > MAX_VERSION) {
    throw new VersionError(`creation time ${created.toISOString()} is past what a long can hold`);
  }
  return version;
}

function integerOf(value: unknown): bigint | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value === "bigint") return value;
  // `numbers: "string"` decodes every number as its text.
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

function attributeValue(image: unknown, attribute: string, side: string): bigint {
  if (image === undefined) {
    throw new VersionError(`the ${side} image, which holds the version attribute, is missing`);
  }
  const raw = (image as Record<string, unknown>)[attribute];
  const value = integerOf(raw);
  if (value === undefined || value < 0n || value >= MAX_VERSION) {
    throw new VersionError(
      `version attribute ${JSON.stringify(attribute)} of the ${side} image is ${raw === undefined ? "missing" : `${String(raw)}, not an integer from 0 to 2^63 - 2`}`,
    );
  }
  return value;
}

/**
 * The item's own version: the new image's attribute on an insert or modify. A remove deletes at
 * the old image's value + 1, so it beats the last write; an item created again after a delete
 * must carry a version above that one.
 */
export function attributeVersion(change: ChangeEvent<unknown>, attribute: string): bigint {
  if (change.kind === "remove") return attributeValue(change.oldImage, attribute, "old") + 1n;
  return attributeValue(change.newImage, attribute, "new");
}

export function versionOf(change: ChangeEvent<unknown>, source: VersionSource): bigint {
  return source === "stream" ? streamVersion(change) : attributeVersion(change, source.attribute);
}
