import { randomUUID } from "node:crypto";
import { LOCAL_ACCOUNT } from "./store.js";

/** EventBridge's limit per PutEvents call. */
export const MAX_ENTRIES = 10;
/**
 * Entry size limit: 1 MB since January 2026 (was 256 KB), counted as EventBridge documents it
 * ("Calculating PutEvents event entry size"), and checked against the request's total.
 */
export const MAX_ENTRY_BYTES = 1024 * 1024;

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number;
  EventBusName?: string;
  TraceHeader?: string;
}

/** The event as rules see it and targets receive it. */
export interface EventEnvelope {
  version: "0";
  id: string;
  "detail-type": string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const bytes = (text: string | undefined) =>
  text === undefined ? 0 : Buffer.byteLength(text, "utf8");

/** Time counts 14 bytes; Source, DetailType, Detail and each resource their UTF-8 length. */
export function entrySize(entry: PutEventsEntry): number {
  return (
    (entry.Time !== undefined ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + bytes(resource), 0)
  );
}

const invalid = (parameter: string, reason: string): EntryResult => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${reason}`,
});

/** Seconds precision, as EventBridge writes `time`. */
const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** Builds the envelope of one entry, or the per-entry error EventBridge would return. */
export function toEnvelope(
  entry: PutEventsEntry,
  region: string,
): { envelope: EventEnvelope } | { error: EntryResult } {
  for (const parameter of ["Source", "DetailType", "Detail"] as const) {
    if (!entry[parameter])
      return { error: invalid(parameter, `${parameter} is a required argument.`) };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail!);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    return { error: { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." } };
  }
  const time = entry.Time === undefined ? new Date() : new Date(entry.Time * 1000);
  return {
    envelope: {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType!,
      source: entry.Source!,
      account: LOCAL_ACCOUNT,
      time: isoSeconds(time),
      region,
      resources: entry.Resources ?? [],
      detail: detail as Record<string, unknown>,
    },
  };
}
