import type { AttributeMap, ChangeEvent } from "@sluice/records";
import { imageJson, type TypeTree } from "./attribute-json.js";

/** The archive's line format; readers refuse lines of another version. */
export const LINE_VERSION = 1;

/** The images a line holds, by their names in the line. */
const IMAGES = [
  ["keys", "Keys"],
  ["oldImage", "OldImage"],
  ["newImage", "NewImage"],
] as const;

/**
 * One change as one JSON line: `v`, `kind`, `keys`, `oldImage` and `newImage` (those the stream
 * carries), `meta`, and `types` where the JSON form of an image loses a type (binary, sets).
 * Written from the record as received, so the processor's decode options never round a number.
 */
export function archiveLine(event: ChangeEvent<unknown>, tableName: string): string {
  const change = event.raw.dynamodb ?? {};
  let line = `{"v":${LINE_VERSION},"kind":${JSON.stringify(event.kind)}`;
  let types: Record<string, TypeTree> | undefined;
  for (const [name, field] of IMAGES) {
    const image: AttributeMap | undefined = change[field];
    if (image === undefined) continue;
    const written = imageJson(image);
    line += `,${JSON.stringify(name)}:${written.json}`;
    if (written.types) {
      types ??= {};
      types[name] = written.types;
    }
  }
  const { meta } = event;
  const metaLine = {
    eventId: meta.eventId,
    eventName: meta.eventName,
    sequenceNumber: meta.sequenceNumber,
    tableName,
    region: meta.region,
    approximateCreationTime: meta.approximateCreationTime?.toISOString(),
    sizeBytes: meta.sizeBytes,
    viewType: meta.viewType,
    streamArn: meta.streamArn,
    shardId: meta.shardId,
    cause: event.kind === "remove" ? event.cause : undefined,
  };
  line += `,"meta":${JSON.stringify(metaLine)}`;
  if (types) line += `,"types":${JSON.stringify(types)}`;
  return `${line}}`;
}
