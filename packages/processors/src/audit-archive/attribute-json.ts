import {
  type AttributeMap,
  type AttributeValue,
  bytesToBase64,
  canonicalNumber,
} from "@sluice/records";
import { AuditArchiveError } from "./errors.js";
import { JsonNumber } from "./exact-json.js";

/**
 * What the JSON form of an image does not say: binary reads as a string and a set as a list. A
 * tree that mirrors the image down to each such value (list items by index), and nothing else.
 */
export type TypeTree = { [name: string]: TypeNode };
export type TypeNode = "B" | "SS" | "NS" | "BS" | TypeTree;

/** JSON text of an image, plus the types its JSON form loses (undefined when there are none). */
export interface ImageJson {
  json: string;
  types: TypeTree | undefined;
}

type Written = [json: string, type: TypeNode | undefined];

const base64 = (value: Uint8Array | string): string =>
  typeof value === "string" ? value : bytesToBase64(value);

function unknownType(av: unknown): AuditArchiveError {
  return new AuditArchiveError(
    "UNKNOWN_ATTRIBUTE_TYPE",
    `Not a DynamoDB attribute value: ${JSON.stringify(av)?.slice(0, 200)}`,
  );
}

function writeValue(av: AttributeValue): Written {
  for (const type in av) {
    const value = (av as Record<string, unknown>)[type];
    switch (type) {
      case "S":
        return [JSON.stringify(value), undefined];
      case "N":
        // Plain notation with every digit: valid JSON, and the same number DynamoDB holds.
        return [canonicalNumber(value as string), undefined];
      case "B":
        return [JSON.stringify(base64(value as Uint8Array | string)), "B"];
      case "BOOL":
        return [value ? "true" : "false", undefined];
      case "NULL":
        return ["null", undefined];
      case "M":
        return writeMap(value as AttributeMap);
      case "L":
        return writeList(value as AttributeValue[]);
      case "SS":
        return [JSON.stringify(value), "SS"];
      case "NS":
        return [`[${(value as string[]).map(canonicalNumber).join(",")}]`, "NS"];
      case "BS":
        return [JSON.stringify((value as (Uint8Array | string)[]).map(base64)), "BS"];
    }
    break;
  }
  throw unknownType(av);
}

function writeEntries(entries: [string, AttributeValue][], open: string, close: string): Written {
  let types: TypeTree | undefined;
  const parts: string[] = [];
  for (const [name, av] of entries) {
    const [json, type] = writeValue(av);
    parts.push(open === "{" ? `${JSON.stringify(name)}:${json}` : json);
    if (type !== undefined) {
      // No prototype, so an attribute named "__proto__" is just a name.
      types ??= Object.create(null) as TypeTree;
      types[name] = type;
    }
  }
  return [`${open}${parts.join(",")}${close}`, types];
}

function writeMap(map: AttributeMap): Written {
  return writeEntries(Object.entries(map), "{", "}");
}

function writeList(list: AttributeValue[]): Written {
  return writeEntries(
    list.map((av, index) => [String(index), av]),
    "[",
    "]",
  );
}

/** An image (Keys, NewImage, OldImage) as JSON: numbers exact, binary base64, sets as lists. */
export function imageJson(image: AttributeMap): ImageJson {
  const [json, types] = writeMap(image);
  return { json, types: types as TypeTree | undefined };
}

function malformed(path: string, message: string): AuditArchiveError {
  return new AuditArchiveError("MALFORMED_LINE", `${path}: ${message}`);
}

function child(node: TypeNode | undefined, name: string): TypeNode | undefined {
  return typeof node === "object" && Object.hasOwn(node, name) ? node[name] : undefined;
}

function stringsOf(value: unknown, path: string, type: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) {
    throw malformed(path, `${type} must be a list of strings`);
  }
  return value;
}

function toAttribute(value: unknown, type: TypeNode | undefined, path: string): AttributeValue {
  switch (type) {
    case "B":
      if (typeof value !== "string") throw malformed(path, "B must be base64 text");
      return { B: value };
    case "SS":
      return { SS: stringsOf(value, path, "SS") };
    case "BS":
      return { BS: stringsOf(value, path, "BS") };
    case "NS":
      if (!Array.isArray(value) || !value.every((item) => item instanceof JsonNumber)) {
        throw malformed(path, "NS must be a list of numbers");
      }
      return { NS: value.map((item: JsonNumber) => item.text) };
  }
  if (value === null) return { NULL: true };
  if (typeof value === "boolean") return { BOOL: value };
  if (typeof value === "string") return { S: value };
  if (value instanceof JsonNumber) return { N: value.text };
  if (Array.isArray(value)) {
    return {
      L: value.map((item, i) => toAttribute(item, child(type, String(i)), `${path}[${i}]`)),
    };
  }
  if (typeof value === "object") return { M: toImage(value, type, path) };
  throw malformed(path, `unexpected ${typeof value}`);
}

/**
 * The DynamoDB form of an image read back from the archive (numbers as `JsonNumber`), with the
 * types the JSON form lost restored from `types`.
 */
export function toImage(value: unknown, types: TypeNode | undefined, path: string): AttributeMap {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(path, "an image must be an object");
  }
  // fromEntries defines each attribute, so "__proto__" stays an attribute.
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [
      name,
      toAttribute(item, child(types, name), `${path}.${name}`),
    ]),
  );
}
