import { type AttributeMap, type ChangeEvent, decodeImage } from "@sluice/records";
import { type EventEntry, publishedEventId } from "../publish-events/index.js";

export interface ItemExpiredSettings {
  /** The event's `source`. Default `sluice.ttl`. */
  source?: string;
  /** The event's `detail-type`. Default `ItemExpired`. */
  detailType?: string;
}

/** The table's ARN from its stream's: `.../table/NAME/stream/LABEL` without `/stream/LABEL`. */
const tableArnOf = (streamArn: string | undefined) => streamArn?.replace(/\/stream\/[^/]+$/, "");

/**
 * The `ItemExpired` event of a TTL deletion: `detail` holds the table, the keys, the expired
 * item (numbers with every digit, binary as base64, sets as lists) and when it was deleted.
 */
export function itemExpiredEntry(
  change: ChangeEvent<unknown>,
  table: string,
  settings: ItemExpiredSettings,
): EventEntry {
  const detailType = settings.detailType ?? "ItemExpired";
  const images = change.raw.dynamodb ?? {};
  // Decoded again from the record, losslessly, whatever number mode the handler decodes with.
  const exact = (image: AttributeMap | undefined) =>
    image === undefined ? undefined : decodeImage(image);
  const deletedAt = change.meta.approximateCreationTime;
  const tableArn = tableArnOf(change.meta.streamArn);
  return {
    id: publishedEventId(change, detailType, 0),
    source: settings.source ?? "sluice.ttl",
    detailType,
    detail: {
      table,
      keys: exact(images.Keys),
      item: exact(images.OldImage),
      ...(deletedAt && { deletedAt: deletedAt.toISOString() }),
    },
    ...(deletedAt && { time: deletedAt }),
    ...(tableArn && { resources: [tableArn] }),
  };
}
