import type { AttributeValue } from "@sluice/records";
import type { ReplayRecord } from "./types.js";

/** Which records to replay. Every given condition must hold; records not chosen stay in the source. */
export interface ReplayFilter {
  /** Records by their replay id (a sluice envelope's id), as listed by a dry run. */
  ids?: string[];
  processors?: string[];
  errorCodes?: string[];
  /** On the failure time, or the record's creation time when the source has no failure time. */
  since?: Date;
  until?: Date;
  /** Key attribute conditions, such as `{ attribute: "PK", prefix: "CUSTOMER#" }`. */
  keys?: KeyCondition[];
}

export interface KeyCondition {
  attribute: string;
  equals?: string;
  prefix?: string;
}

export function matches(filter: ReplayFilter | undefined, item: ReplayRecord): boolean {
  if (!filter) return true;
  const { meta, record } = item;
  if (filter.ids?.length && !filter.ids.includes(item.id)) return false;
  if (filter.processors?.length && !filter.processors.includes(meta.processor ?? "")) return false;
  if (filter.errorCodes?.length && !filter.errorCodes.includes(meta.errorCode ?? "")) return false;
  if (filter.since || filter.until) {
    const at = meta.failedAt ?? creationTime(item);
    if (!at) return false;
    if (filter.since && at < filter.since) return false;
    if (filter.until && at > filter.until) return false;
  }
  for (const condition of filter.keys ?? []) {
    const value = keyText(record.dynamodb?.Keys?.[condition.attribute]);
    if (value === undefined) return false;
    if (condition.equals !== undefined && value !== condition.equals) return false;
    if (condition.prefix !== undefined && !value.startsWith(condition.prefix)) return false;
  }
  return true;
}

function creationTime(item: ReplayRecord): Date | undefined {
  const at = item.record.dynamodb?.ApproximateCreationDateTime;
  if (at instanceof Date) return at;
  return typeof at === "number" ? new Date(at * 1000) : undefined;
}

function keyText(value: AttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  if ("S" in value) return value.S;
  if ("N" in value) return value.N;
  if ("B" in value) {
    return typeof value.B === "string" ? value.B : Buffer.from(value.B).toString("base64");
  }
  return undefined;
}
