import { type DynamoDBStreamRecord, decodeRecord, stringifyDecoded } from "@sluice/records";
import type { ChangeView } from "./types.js";

/**
 * The entity a single-table key names: the text before the first `#` of the most specific key
 * that has one, so the sort key wins. `CUSTOMER#c-1` / `ORDER#o-1` is an ORDER, and
 * `CUSTOMER#c-1` / `PROFILE` a CUSTOMER. Keys must come in the table's order, partition key first.
 */
export function entityOf(keys: Record<string, unknown>): string | undefined {
  let entity: string | undefined;
  for (const value of Object.values(keys)) {
    if (typeof value !== "string") continue;
    const cut = value.indexOf("#");
    if (cut > 0) entity = value.slice(0, cut);
  }
  return entity;
}

/** JSON-safe: Decimals, bigints, Sets and binary become what JSON.stringify can carry. */
function plain(value: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return value === undefined ? undefined : (JSON.parse(stringifyDecoded(value)) as never);
}

/**
 * Decodes a stream record for the terminal, `sluice tail` and the console. `keyNames` puts the
 * table's keys in order (partition key first); a record lists them in no particular order.
 */
export function toChangeView(record: DynamoDBStreamRecord, keyNames: string[] = []): ChangeView {
  const change = decodeRecord(record, { source: "lambda", position: 0 });
  const decoded = plain(change.keys) ?? {};
  const rank = (name: string) => {
    const index = keyNames.indexOf(name);
    return index === -1 ? keyNames.length : index;
  };
  const keys = Object.fromEntries(
    Object.entries(decoded).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)),
  );
  const entity = entityOf(keys);
  return {
    eventId: change.meta.eventId,
    kind: change.kind,
    expired: change.kind === "remove" && change.cause === "ttl",
    key: Object.entries(keys)
      .map(
        ([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`,
      )
      .join(" "),
    keys,
    ...(entity !== undefined && { entity }),
    at: (change.meta.approximateCreationTime ?? new Date()).toISOString(),
    ...(change.newImage !== undefined && { newImage: plain(change.newImage as never) }),
    ...(change.oldImage !== undefined && { oldImage: plain(change.oldImage as never) }),
  };
}
