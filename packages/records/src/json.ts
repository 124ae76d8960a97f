import { bytesToBase64 } from "./binary.js";
import { canonicalNumber, isDecimal } from "./numbers.js";
import type { ChangeEvent } from "./types.js";

/**
 * JSON text of a decoded value without losing digits: bigint and Decimal are written as bare JSON
 * numbers with every digit, Sets as arrays, Uint8Array as base64 text, Dates as ISO text.
 * Undefined object members are left out, as JSON.stringify does.
 */
export function stringifyDecoded(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return stringifyNumber(value);
    case "bigint":
      return value.toString();
    case "boolean":
      return value ? "true" : "false";
    case "object":
      return stringifyObject(value);
    default:
      return "null";
  }
}

function stringifyNumber(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const text = String(value);
  // JavaScript writes 1e-7 and 1e+21 with an exponent; DynamoDB sent plain digits, so keep them.
  return text.includes("e") ? canonicalNumber(text) : text;
}

function stringifyObject(value: object | null): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return stringifyItems(value);
  if (isDecimal(value)) return value.value;
  if (value instanceof Set) return stringifyItems(value);
  if (value instanceof Uint8Array) return JSON.stringify(bytesToBase64(value));
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  let out = "{";
  let first = true;
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || typeof member === "function") continue;
    if (!first) out += ",";
    first = false;
    out += `${JSON.stringify(key)}:${stringifyDecoded(member)}`;
  }
  return `${out}}`;
}

function stringifyItems(items: Iterable<unknown>): string {
  let out = "[";
  let first = true;
  for (const item of items) {
    if (!first) out += ",";
    first = false;
    out += item === undefined ? "null" : stringifyDecoded(item);
  }
  return `${out}]`;
}

/**
 * One JSON line for a change event: `kind`, `cause` on removes, `keys`, the images present, and
 * `meta`. The raw record is left out.
 */
export function toJsonLine(event: ChangeEvent<unknown>): string {
  const { kind, keys, meta } = event;
  const line: Record<string, unknown> = { kind };
  if (event.kind === "remove") line.cause = event.cause;
  line.keys = keys;
  if (event.oldImage !== undefined) line.oldImage = event.oldImage;
  if (event.newImage !== undefined) line.newImage = event.newImage;
  line.meta = meta;
  return stringifyDecoded(line);
}
