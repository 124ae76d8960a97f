import { PipelineDefinitionError } from "./errors.js";
import type {
  FilterPattern,
  HandlerReference,
  KeyAttribute,
  KeyType,
  ResourceNeed,
  StreamViewType,
} from "./types.js";

/** Where a value sits in the definition, for error messages. */
export interface Place {
  setting: string;
  subscriber?: string;
}

function fail(place: Place, message: string): never {
  throw new PipelineDefinitionError(place.setting, message, place.subscriber);
}

const namePattern = /^[a-z][a-z0-9-]{0,39}$/;

/** Pipeline and subscriber names become parts of resource, function and metric names. */
export function checkName(place: Place, value: unknown): string {
  if (typeof value !== "string" || !namePattern.test(value)) {
    fail(
      place,
      `${place.setting} must be 1 to 40 lowercase letters, digits and hyphens, starting with a letter; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export function checkInteger(
  place: Place,
  value: number,
  min: number,
  max: number,
  lambdaName: string,
  allowMinusOne = false,
): number {
  const inRange = Number.isInteger(value) && value >= min && value <= max;
  if (!inRange && !(allowMinusOne && value === -1)) {
    const range = `${allowMinusOne ? "-1 or " : ""}an integer from ${min} to ${max}`;
    fail(place, `${place.setting} must be ${range} (Lambda's ${lambdaName}); got ${value}.`);
  }
  return value;
}

export function checkOneOf<T extends string | boolean>(
  place: Place,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    const choices = allowed.map((choice) => JSON.stringify(choice)).join(", ");
    fail(place, `${place.setting} must be one of ${choices}; got ${JSON.stringify(value)}.`);
  }
  return value as T;
}

export function checkBoolean(place: Place, value: unknown): boolean {
  if (typeof value !== "boolean") {
    fail(place, `${place.setting} must be true or false; got ${JSON.stringify(value)}.`);
  }
  return value;
}

const handlerPattern = /^(?<module>[\w@.][\w@./-]*)\.(?<exportName>[A-Za-z_$][\w$]*)$/;

/** "src/handlers/audit.handler": a module path from the app's root without extension, and an export. */
export function parseHandler(place: Place, value: unknown): HandlerReference {
  const match = typeof value === "string" ? handlerPattern.exec(value) : null;
  const module = match?.groups?.module;
  const exportName = match?.groups?.exportName;
  if (!module || !exportName) {
    fail(
      place,
      `handler must be a module path and an export joined by a dot, like "src/handlers/audit.handler"; got ${JSON.stringify(value)}.`,
    );
  }
  if (/\.(ts|mts|js|mjs|cjs)$/.test(module)) {
    fail(
      place,
      `handler names the module without its extension: "${module.replace(/\.\w+$/, "")}.${exportName}".`,
    );
  }
  if (module.split("/").includes("..")) {
    fail(place, `handler must be a path inside the app, relative to its root; got "${value}".`);
  }
  return { path: value as string, module, exportName };
}

const keyTypes: readonly KeyType[] = ["string", "number", "binary"];
const attributePattern = /^[^\s]{1,255}$/;

export function checkAttributeName(place: Place, value: unknown): string {
  if (typeof value !== "string" || !attributePattern.test(value)) {
    fail(place, `${place.setting} must be an attribute name; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** A key attribute: its name (a string key) or { name, type }. */
export function checkKey(place: Place, value: unknown): KeyAttribute {
  const key = (typeof value === "string" ? { name: value, type: "string" } : value) as
    | Partial<KeyAttribute>
    | undefined;
  return {
    name: checkAttributeName(place, key?.name),
    type: checkOneOf({ ...place, setting: `${place.setting}.type` }, key?.type, keyTypes),
  };
}

const tableNamePattern = /^[A-Za-z0-9_.-]{3,255}$/;

export function checkTableName(place: Place, value: unknown): string {
  if (typeof value !== "string" || !tableNamePattern.test(value)) {
    fail(
      place,
      `${place.setting} must be 3 to 255 letters, digits, "_", "-" or "." (DynamoDB's table names); got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export const streamViewTypes: readonly StreamViewType[] = [
  "KEYS_ONLY",
  "NEW_IMAGE",
  "OLD_IMAGE",
  "NEW_AND_OLD_IMAGES",
];

/** Lambda's default quota; AWS raises it to 10 on request. */
const maxFilters = 5;
const maxPatternLength = 4096;

export function checkFilters(place: Place, value: unknown): FilterPattern[] {
  if (!Array.isArray(value)) {
    fail(
      place,
      `filters must be an array of filter patterns (objects); got ${JSON.stringify(value)}.`,
    );
  }
  if (value.length > maxFilters) {
    fail(
      place,
      `filters takes at most ${maxFilters} patterns (Lambda's default quota); combine them with "$or" instead. Got ${value.length}.`,
    );
  }
  return value.map((pattern, index) => {
    const isObject = typeof pattern === "object" && pattern !== null && !Array.isArray(pattern);
    if (!isObject || Object.keys(pattern).length === 0) {
      fail(
        place,
        `filters[${index}] must be a non-empty pattern object, like {"eventName":["INSERT"]}; got ${JSON.stringify(pattern)}.`,
      );
    }
    const length = JSON.stringify(pattern).length;
    if (length > maxPatternLength) {
      fail(
        place,
        `filters[${index}] is ${length} characters as JSON; Lambda takes at most ${maxPatternLength}.`,
      );
    }
    return pattern as FilterPattern;
  });
}

const resourceNeeds: readonly ResourceNeed[] = [
  "checkpoints",
  "archiveBucket",
  "searchDomain",
  "eventBus",
  "aggregatesTable",
];

export function checkNeeds(place: Place, value: unknown): ResourceNeed[] {
  if (!Array.isArray(value)) {
    fail(
      place,
      `needs must be an array of ${resourceNeeds.join(", ")}; got ${JSON.stringify(value)}.`,
    );
  }
  const needs = value.map((need) => checkOneOf(place, need, resourceNeeds));
  const repeated = needs.find((need, index) => needs.indexOf(need) !== index);
  if (repeated) fail(place, `needs lists "${repeated}" twice.`);
  return needs;
}

/** Lambda's rule for variable names; SLUICE_ and AWS_ names belong to sluice and Lambda. */
const environmentKeyPattern = /^[A-Za-z][A-Za-z0-9_]*$/;

export function checkEnvironment(place: Place, value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(place, `environment must be an object of string values; got ${JSON.stringify(value)}.`);
  }
  for (const [key, entry] of Object.entries(value)) {
    if (!environmentKeyPattern.test(key)) {
      fail(
        place,
        `environment key "${key}" must start with a letter and hold only letters, digits and "_".`,
      );
    }
    if (/^(SLUICE_|AWS_)/.test(key)) {
      fail(
        place,
        `environment key "${key}" is reserved: sluice sets SLUICE_* and Lambda sets AWS_*.`,
      );
    }
    if (typeof entry !== "string") {
      fail(place, `environment.${key} must be a string; got ${JSON.stringify(entry)}.`);
    }
  }
  return { ...(value as Record<string, string>) };
}
