import { bytesToBase64, type Item, isDecimal } from "@sluice/records";

/** OpenSearch refuses `_id`s over 512 bytes. */
export const MAX_DOCUMENT_ID_BYTES = 512;

function keyText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (isDecimal(value)) return value.value;
  if (value instanceof Uint8Array) return bytesToBase64(value);
  return String(value);
}

/**
 * The item's key values in the order of their attribute names, joined by `|`; a `|` or `\` inside
 * a value is escaped with `\`, so two different keys never give one id. `CUSTOMER#1|ORDER#7`.
 */
export function defaultDocumentId(keys: Item): string {
  return Object.keys(keys)
    .sort()
    .map((name) => keyText(keys[name]).replace(/[\\|]/g, (c) => `\\${c}`))
    .join("|");
}

/** Why an id cannot be an OpenSearch `_id`, or undefined when it can. */
export function documentIdProblem(id: unknown): string | undefined {
  if (typeof id !== "string" || id.length === 0) return `the id is ${JSON.stringify(id)}, not text`;
  const bytes = Buffer.byteLength(id, "utf8");
  if (bytes > MAX_DOCUMENT_ID_BYTES) {
    return `the id has ${bytes} bytes; OpenSearch takes at most ${MAX_DOCUMENT_ID_BYTES} (give an \`id\` function)`;
  }
  return undefined;
}
