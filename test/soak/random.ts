// Every random choice of the soak comes from here, so a seed reproduces the writes and the faults.

import { seededRandom } from "../../packages/testing/src/seeded-random.ts";

const TWO_TO_32 = 4_294_967_296;

/** mulberry32: a tiny PRNG with 32 bits of state, plenty for choosing writes and faults. */
export const mulberry32 = seededRandom;

/** FNV-1a over the parts, then murmur3's finalizer so that similar inputs land far apart. */
export function hash32(...parts: (string | number)[]): number {
  const text = parts.join("\u0000");
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * True for a `rate` share of all part combinations, and always the same answer for the same
 * parts: a fault decision that does not depend on timing or on the order of calls.
 */
export const chance = (rate: number, ...parts: (string | number)[]): boolean =>
  rate > 0 && hash32(...parts) / TWO_TO_32 < rate;

/** A stream of decisions for calls that have no identity of their own, such as AWS requests. */
export const seededStream = (...parts: (string | number)[]): (() => number) =>
  mulberry32(hash32(...parts));
