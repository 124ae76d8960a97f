import type {
  AttributeValue,
  ChangeEvent,
  DynamoDBStreamRecord,
  SluiceDecodeError,
} from "@sluice/records";

/** One record of the batch, decoded or not, with what ordering and reporting need. */
export interface Slot<T> {
  /** Index in `event.Records`. */
  position: number;
  /** As Lambda sent it; the only valid `itemIdentifier`. Undefined if the record has none. */
  sequenceNumber: string | undefined;
  seq: bigint | undefined;
  eventId: string;
  /** Stable text of the item's key: records with the same key are one item. */
  itemKey: string;
  record: DynamoDBStreamRecord;
  event?: ChangeEvent<T>;
  decodeError?: SluiceDecodeError;
}

function stable(value: AttributeValue | Record<string, AttributeValue>): string {
  if (Array.isArray(value)) return `[${value.map((v) => stable(v)).join(",")}]`;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "object" && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, AttributeValue>)[k]!)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

const digits = /^\d+$/;

export function toSlots<T>(
  records: DynamoDBStreamRecord[],
  events: ChangeEvent<T>[],
  failures: { error: SluiceDecodeError; position: number }[],
): Slot<T>[] {
  const slots: Slot<T>[] = records.map((record, position) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    const valid = typeof sequenceNumber === "string" && digits.test(sequenceNumber);
    const keys = record.dynamodb?.Keys;
    return {
      position,
      sequenceNumber: valid ? sequenceNumber : undefined,
      seq: valid ? BigInt(sequenceNumber) : undefined,
      eventId: record.eventID ?? `position-${position}`,
      // A record without keys cannot be ordered against others: it is an item of its own.
      itemKey: keys ? stable(keys) : `#${position}`,
      record,
    };
  });
  for (const event of events) {
    const slot = slots[event.meta.position];
    if (slot) slot.event = event;
  }
  for (const failure of failures) {
    const slot = slots[failure.position];
    if (slot) slot.decodeError = failure.error;
  }
  return slots;
}
