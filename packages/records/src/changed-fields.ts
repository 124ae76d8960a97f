import { decodedEqual } from "./equality.js";
import { SluiceDecodeError } from "./errors.js";
import type { ChangeEvent } from "./types.js";

/** Top-level attributes a change added, removed or changed, each list in image order. */
export interface ChangedFields {
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * Compares a modify event's images. Values compare deeply (Sets in any order, binary by bytes,
 * bigint and Decimal by value). Needs both images: use a NEW_AND_OLD_IMAGES stream.
 */
export function changedFields(event: ChangeEvent<unknown>): ChangedFields {
  const before = event.oldImage as Record<string, unknown> | undefined;
  const after = event.newImage as Record<string, unknown> | undefined;
  if (before === undefined || after === undefined) {
    throw new SluiceDecodeError(
      "MISSING_IMAGE",
      `changedFields needs both images, but this ${event.kind} event has ${before === undefined ? "no old image" : "no new image"}: set the stream view type to NEW_AND_OLD_IMAGES`,
      { eventId: event.meta.eventId, position: event.meta.position, record: event.raw },
    );
  }
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const name in after) {
    if (!Object.hasOwn(before, name)) added.push(name);
    else if (!decodedEqual(before[name], after[name])) changed.push(name);
  }
  for (const name in before) if (!Object.hasOwn(after, name)) removed.push(name);
  return { added, removed, changed };
}
