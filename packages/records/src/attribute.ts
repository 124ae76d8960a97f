import { decodeBinary } from "./binary.js";
import { SluiceDecodeError } from "./errors.js";
import { decodeNumber } from "./numbers.js";
import type { AttributeMap, AttributeValue, DecodeOptions, Item, NumberMode } from "./types.js";

/** A decoded attribute: what an AttributeValue becomes in JavaScript. */
export type DecodedValue = unknown;

/** Adds a path segment in front of an error's path as it travels out of nested values. */
function prefixPath(error: unknown, segment: string): never {
  if (error instanceof SluiceDecodeError) {
    const tail = error.path;
    const path =
      tail === undefined ? segment : tail.startsWith("[") ? segment + tail : `${segment}.${tail}`;
    throw new SluiceDecodeError(error.code, error.message, {
      path,
      ...(error.issues === undefined ? {} : { issues: error.issues }),
    });
  }
  throw error;
}

function unknownType(type: string): SluiceDecodeError {
  return new SluiceDecodeError(
    "UNKNOWN_ATTRIBUTE_TYPE",
    `Unknown attribute type ${JSON.stringify(type)}: expected one of S, N, B, BOOL, NULL, M, L, SS, NS, BS`,
  );
}

function notAnArray(type: string): SluiceDecodeError {
  return new SluiceDecodeError("UNKNOWN_ATTRIBUTE_TYPE", `${type} must hold an array of values`);
}

function setItem(value: unknown, index: number, decodeItem: (item: unknown) => unknown): unknown {
  try {
    return decodeItem(value);
  } catch (error) {
    return prefixPath(error, `[${index}]`);
  }
}

function decodeValue(av: AttributeValue, mode: NumberMode): DecodedValue {
  if (typeof av !== "object" || av === null) {
    throw new SluiceDecodeError(
      "UNKNOWN_ATTRIBUTE_TYPE",
      `An attribute value must be an object such as {"S":"text"}, not ${av === null ? "null" : typeof av}`,
    );
  }
  // An AttributeValue has exactly one key; its name is the type.
  for (const type in av) {
    const value = (av as Record<string, unknown>)[type];
    switch (type) {
      case "S":
        if (typeof value !== "string") break;
        return value;
      case "N":
        return decodeNumber(value, mode);
      case "BOOL":
        if (typeof value !== "boolean") break;
        return value;
      case "NULL":
        return null;
      case "M":
        if (typeof value !== "object" || value === null || Array.isArray(value)) break;
        return decodeMap(value as AttributeMap, mode);
      case "L":
        if (!Array.isArray(value)) throw notAnArray(type);
        return decodeList(value, mode);
      case "B":
        return decodeBinary(value);
      case "SS": {
        if (!Array.isArray(value)) throw notAnArray(type);
        const set = new Set<string>();
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          if (typeof item !== "string") {
            prefixPath(
              new SluiceDecodeError(
                "UNKNOWN_ATTRIBUTE_TYPE",
                `SS items must be strings, not ${typeof item}`,
              ),
              `[${i}]`,
            );
          }
          set.add(item);
        }
        return set;
      }
      case "NS": {
        if (!Array.isArray(value)) throw notAnArray(type);
        const set = new Set<unknown>();
        for (let i = 0; i < value.length; i++) {
          set.add(setItem(value[i], i, (item) => decodeNumber(item, mode)));
        }
        return set;
      }
      case "BS": {
        if (!Array.isArray(value)) throw notAnArray(type);
        const set = new Set<Uint8Array>();
        for (let i = 0; i < value.length; i++) {
          set.add(setItem(value[i], i, decodeBinary) as Uint8Array);
        }
        return set;
      }
      default:
        throw unknownType(type);
    }
    throw new SluiceDecodeError(
      "UNKNOWN_ATTRIBUTE_TYPE",
      `${type} holds ${Array.isArray(value) ? "an array" : typeof value}, which is not a valid ${type} value`,
    );
  }
  throw new SluiceDecodeError(
    "UNKNOWN_ATTRIBUTE_TYPE",
    "An attribute value is an empty object: it needs one type key such as S or N",
  );
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
  const out: Item = {};
  for (const key in map) {
    let value: DecodedValue;
    try {
      value = decodeValue(map[key] as AttributeValue, mode);
    } catch (error) {
      prefixPath(error, key);
    }
    // Assigning "__proto__" would replace the object's prototype instead of adding an attribute.
    if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = value;
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
