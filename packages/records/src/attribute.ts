import { decodeBinary } from "./binary.js";
import { SluiceDecodeError } from "./errors.js";
import { decodeNumber } from "./numbers.js";
import type { AttributeMap, AttributeValue, DecodeOptions, Item, NumberMode } from "./types.js";

/** A decoded attribute: what an AttributeValue becomes in JavaScript. */
export type DecodedValue = unknown;

/** Joins an attribute path: `items` + `[2].price` is `items[2].price`, `a` + `b` is `a.b`. */
export function joinPath(head: string, tail: string | undefined): string {
  if (tail === undefined) return head;
  return tail.startsWith("[") ? head + tail : `${head}.${tail}`;
}

/** Adds a path segment in front of an error's path as it travels out of nested values. */
function prefixPath(error: unknown, segment: string): never {
  if (error instanceof SluiceDecodeError) {
    throw new SluiceDecodeError(error.code, error.message, { path: joinPath(segment, error.path) });
  }
  throw error;
}

function invalidValue(av: unknown, type: string | undefined, value: unknown): SluiceDecodeError {
  const what = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);
  let message: string;
  if (typeof av !== "object" || av === null) {
    message = `An attribute value must be an object such as {"S":"text"}, not ${what(av)}`;
  } else if (type === undefined) {
    message = "An attribute value is an empty object: it needs one type key such as S or N";
  } else if (!TYPES.has(type)) {
    message = `Unknown attribute type ${JSON.stringify(type)}: expected one of ${[...TYPES].join(", ")}`;
  } else {
    message = `${type} holds ${what(value)}, which is not a valid ${type} value`;
  }
  return new SluiceDecodeError("UNKNOWN_ATTRIBUTE_TYPE", message);
}

const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);

// The hot path is kept small so the engine inlines it: one switch on the single key, with sets
// and errors handled out of line.
function decodeValue(av: AttributeValue, mode: NumberMode): DecodedValue {
  if (typeof av === "object") {
    // An AttributeValue has exactly one key; its name is the type.
    for (const type in av) {
      const value = (av as Record<string, unknown>)[type];
      switch (type) {
        case "S":
          if (typeof value === "string") return value;
          break;
        case "N":
          return decodeNumber(value, mode);
        case "M":
          if (typeof value === "object" && value !== null && !Array.isArray(value)) {
            return decodeMap(value as AttributeMap, mode);
          }
          break;
        case "L":
          if (Array.isArray(value)) return decodeList(value, mode);
          break;
        case "BOOL":
          if (typeof value === "boolean") return value;
          break;
        case "NULL":
          return null;
        case "B":
          return decodeBinary(value);
        case "SS":
        case "NS":
        case "BS":
          if (Array.isArray(value)) return decodeSet(type, value, mode);
          break;
      }
      throw invalidValue(av, type, value);
    }
  }
  throw invalidValue(av, undefined, undefined);
}

function decodeSetItem(type: "SS" | "NS" | "BS", item: unknown, mode: NumberMode): unknown {
  if (type === "NS") return decodeNumber(item, mode);
  if (type === "BS") return decodeBinary(item);
  if (typeof item === "string") return item;
  throw new SluiceDecodeError(
    "UNKNOWN_ATTRIBUTE_TYPE",
    `SS items must be strings, not ${typeof item}`,
  );
}

function decodeSet(type: "SS" | "NS" | "BS", items: unknown[], mode: NumberMode): Set<unknown> {
  const set = new Set<unknown>();
  for (let i = 0; i < items.length; i++) {
    try {
      set.add(decodeSetItem(type, items[i], mode));
    } catch (error) {
      prefixPath(error, `[${i}]`);
    }
  }
  return set;
}

function decodeList(list: AttributeValue[], mode: NumberMode): DecodedValue[] {
  const out = new Array<DecodedValue>(list.length);
  for (let i = 0; i < list.length; i++) {
    try {
      out[i] = decodeValue(list[i] as AttributeValue, mode);
    } catch (error) {
      prefixPath(error, `[${i}]`);
    }
  }
  return out;
}

function decodeMap(map: AttributeMap, mode: NumberMode): Item {
  // Copying the map first gives the output every attribute in one allocation; each is then
  // overwritten by its decoded value. The copy also holds "__proto__" as a plain attribute.
  const out: Item = { ...map };
  for (const key in map) {
    try {
      out[key] = decodeValue(map[key] as AttributeValue, mode);
    } catch (error) {
      prefixPath(error, key);
    }
  }
  return out;
}

/**
 * Decodes one AttributeValue of any type, at any depth. Throws SluiceDecodeError with the path of
 * the offending value (`items[2].price`) for unknown types, invalid numbers and invalid binary.
 */
export function decodeAttribute(av: AttributeValue, options?: DecodeOptions): DecodedValue {
  return decodeValue(av, options?.numbers ?? "auto");
}

/** Decodes an item image (`NewImage`, `OldImage`, `Keys`) into a plain object. */
export function decodeImage<T = Item>(map: AttributeMap, options?: DecodeOptions): T {
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new SluiceDecodeError(
      "UNKNOWN_ATTRIBUTE_TYPE",
      "An image must be an object of attribute names to attribute values",
    );
  }
  return decodeMap(map, options?.numbers ?? "auto") as T;
}
