import { SluiceDecodeError } from "./errors.js";

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a `B` value: base64 text (Lambda events, JSON) or bytes (the SDK's GetRecords).
 * Throws INVALID_BINARY (without a path) for anything else, including malformed base64, which
 * Node's own decoder would silently truncate.
 */
export function decodeBinary(value: unknown): Uint8Array {
  if (typeof value === "string") {
    if (value.length % 4 !== 0 || !BASE64.test(value)) {
      throw new SluiceDecodeError(
        "INVALID_BINARY",
        `B holds text that is not base64 (${value.length} characters): send base64 or bytes`,
      );
    }
    const buffer = Buffer.from(value, "base64");
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (value instanceof Uint8Array) return value;
  throw new SluiceDecodeError(
    "INVALID_BINARY",
    `B must be base64 text or a Uint8Array, not ${value === null ? "null" : typeof value}`,
  );
}

export function bytesToBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
