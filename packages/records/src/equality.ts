import { isDecimal } from "./numbers.js";

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function setsEqual(a: Set<unknown>, b: Set<unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) {
    if (b.has(item)) continue;
    // Binary and Decimal members are objects: look for an equal one.
    if (typeof item !== "object" || item === null) return false;
    let found = false;
    for (const other of b) {
      if (decodedEqual(item, other)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/**
 * Deep equality of decoded values: strings, numbers, bigint, Decimal, booleans, null, Uint8Array,
 * Sets (in any order), lists and maps.
 */
export function decodedEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (isDecimal(a) || isDecimal(b)) return isDecimal(a) && isDecimal(b) && a.value === b.value;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b);
  }
  if (a instanceof Set || b instanceof Set) {
    return a instanceof Set && b instanceof Set && setsEqual(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!decodedEqual(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(y, key) || !decodedEqual(x[key], y[key])) return false;
    count++;
  }
  for (const _ in y) count--;
  return count === 0;
}
