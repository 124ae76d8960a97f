/**
 * Drops a leading byte-order mark (U+FEFF). Tools on .NET write one before JSON, and JSON.parse
 * rejects it.
 */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
