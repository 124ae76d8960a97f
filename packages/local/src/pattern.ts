/**
 * EventBridge event patterns, the syntax that EventBridge rules and Lambda FilterCriteria share.
 * Fields are ANDed, values in a field's array are ORed, and a field whose event value is an
 * array matches when any element matches.
 */

export type EventPattern = { [field: string]: unknown };
export type PatternPredicate = (event: unknown) => boolean;

export class InvalidPatternError extends Error {
  constructor(path: string[], problem: string) {
    super(`Invalid event pattern at ${path.length ? path.join(".") : "the top level"}: ${problem}`);
    this.name = "InvalidPatternError";
  }
}

type Leaf = string | number | boolean | null;
type LeafTest = (value: Leaf) => boolean;
/** A compiled field: tests the leaf values found at its path, or the absence of any. */
type FieldTest = { test: LeafTest; matchesAbsent: boolean };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Leaf values at a field, flattening arrays; objects are not leaves. */
function leaves(value: unknown, out: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) {
    for (const item of value) leaves(item, out);
  } else if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
    out.push(value as Leaf);
  }
  return out;
}

const lower = (value: string) => value.toLowerCase();

function stringOperand(value: unknown, path: string[], operator: string): string {
  if (typeof value !== "string")
    throw new InvalidPatternError(path, `"${operator}" needs a string`);
  return value;
}

/** `*` matches any run of characters; `\*` is a literal star and `\\` a literal backslash. */
function compileWildcard(source: string, path: string[]): RegExp {
  if (source.includes("**")) {
    throw new InvalidPatternError(path, `wildcard "${source}" has consecutive "*"`);
  }
  let regex = "";
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === "\\") {
      const next = source[i + 1];
      if (next !== "*" && next !== "\\") {
        throw new InvalidPatternError(
          path,
          `wildcard "${source}" escapes something other than * or \\`,
        );
      }
      regex += `\\${next}`;
      i++;
    } else if (char === "*") {
      regex += "[\\s\\S]*";
    } else {
      regex += char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    }
  }
  return new RegExp(`^${regex}$`);
}

/** prefix / suffix take a string or { "equals-ignore-case": string }. */
function compileAffix(operand: unknown, path: string[], operator: "prefix" | "suffix"): LeafTest {
  const ignoreCase = isObject(operand);
  if (ignoreCase && Object.keys(operand).join() !== "equals-ignore-case") {
    throw new InvalidPatternError(
      path,
      `"${operator}" takes a string or {"equals-ignore-case": string}`,
    );
  }
  const text = stringOperand(ignoreCase ? operand["equals-ignore-case"] : operand, path, operator);
  const needle = ignoreCase ? lower(text) : text;
  return (value) => {
    if (typeof value !== "string") return false;
    const haystack = ignoreCase ? lower(value) : value;
    return operator === "prefix" ? haystack.startsWith(needle) : haystack.endsWith(needle);
  };
}

const LOWER_BOUNDS = new Set([">", ">="]);
const UPPER_BOUNDS = new Set(["<", "<="]);

function compare(op: string, value: number, bound: number): boolean {
  switch (op) {
    case "=":
      return value === bound;
    case ">":
      return value > bound;
    case ">=":
      return value >= bound;
    case "<":
      return value < bound;
    default:
      return value <= bound;
  }
}

/** `["=", n]`, one bound, or a lower bound followed by an upper bound. */
function compileNumeric(operand: unknown, path: string[]): LeafTest {
  const ok =
    Array.isArray(operand) &&
    (operand.length === 2 || operand.length === 4) &&
    operand.every((item, i) => (i % 2 === 0 ? typeof item === "string" : Number.isFinite(item)));
  const terms = ok ? (operand as (string | number)[]) : [];
  const [op1, , op2] = terms as string[];
  const valid =
    ok &&
    (terms.length === 2
      ? op1 === "=" || LOWER_BOUNDS.has(op1!) || UPPER_BOUNDS.has(op1!)
      : LOWER_BOUNDS.has(op1!) && UPPER_BOUNDS.has(op2!));
  if (!valid) {
    throw new InvalidPatternError(
      path,
      `"numeric" takes ["=", n], [op, n] or [">"|">=", low, "<"|"<=", high], got ${JSON.stringify(operand)}`,
    );
  }
  const checks: [string, number][] = [];
  for (let i = 0; i < terms.length; i += 2)
    checks.push([terms[i] as string, terms[i + 1] as number]);
  return (value) =>
    typeof value === "number" && checks.every(([op, bound]) => compare(op, value, bound));
}

function exactValues(operand: unknown, path: string[]): (string | number)[] {
  const values = Array.isArray(operand) ? operand : [operand];
  const strings = values.every((item) => typeof item === "string");
  const numbers = values.every((item) => typeof item === "number");
  if (values.length === 0 || !(strings || numbers)) {
    throw new InvalidPatternError(
      path,
      `"anything-but" takes a string, a number, or a list of only strings or only numbers`,
    );
  }
  return values as (string | number)[];
}

function compileAnythingBut(operand: unknown, path: string[]): LeafTest {
  if (!isObject(operand)) {
    const excluded = exactValues(operand, path);
    return (value) => !excluded.includes(value as string | number);
  }
  const keys = Object.keys(operand);
  if (keys.length !== 1) {
    throw new InvalidPatternError(
      path,
      `"anything-but" object takes exactly one operator, got ${keys.join(", ")}`,
    );
  }
  const [operator] = keys as [string];
  const inner = operand[operator];
  const listOf = (each: (text: string) => LeafTest): LeafTest => {
    const texts = (Array.isArray(inner) ? inner : [inner]).map((item) =>
      stringOperand(item, path, `anything-but ${operator}`),
    );
    if (texts.length === 0)
      throw new InvalidPatternError(path, `"anything-but ${operator}" list is empty`);
    const tests = texts.map(each);
    return (value) => typeof value === "string" && !tests.some((test) => test(value));
  };
  switch (operator) {
    case "prefix":
    case "suffix": {
      const test = compileAffix(
        stringOperand(inner, path, `anything-but ${operator}`),
        path,
        operator,
      );
      return (value) => typeof value === "string" && !test(value);
    }
    case "equals-ignore-case":
      return listOf((text) => (value) => typeof value === "string" && lower(value) === lower(text));
    case "wildcard":
      return listOf((text) => {
        const regex = compileWildcard(text, path);
        return (value) => typeof value === "string" && regex.test(value);
      });
    default:
      throw new InvalidPatternError(path, `unknown "anything-but" operator "${operator}"`);
  }
}

/** One element of a field's array: a literal, or an object with one operator. */
function compileMatcher(matcher: unknown, path: string[]): FieldTest {
  if (!isObject(matcher)) {
    if (Array.isArray(matcher) || matcher === undefined) {
      throw new InvalidPatternError(
        path,
        `values must be strings, numbers, booleans, null or operators`,
      );
    }
    return { test: (value) => value === matcher, matchesAbsent: false };
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    throw new InvalidPatternError(
      path,
      `an operator object has exactly one key, got {${keys.join(", ")}}`,
    );
  }
  const [operator] = keys as [string];
  const operand = matcher[operator];
  const found = (test: LeafTest): FieldTest => ({ test, matchesAbsent: false });
  switch (operator) {
    case "prefix":
    case "suffix":
      return found(compileAffix(operand, path, operator));
    case "equals-ignore-case": {
      const text = lower(stringOperand(operand, path, operator));
      return found((value) => typeof value === "string" && lower(value) === text);
    }
    case "wildcard": {
      const regex = compileWildcard(stringOperand(operand, path, operator), path);
      return found((value) => typeof value === "string" && regex.test(value));
    }
    case "anything-but":
      return found(compileAnythingBut(operand, path));
    case "numeric":
      return found(compileNumeric(operand, path));
    case "exists":
      if (typeof operand !== "boolean")
        throw new InvalidPatternError(path, `"exists" takes true or false`);
      return operand ? found(() => true) : { test: () => false, matchesAbsent: true };
    default:
      throw new InvalidPatternError(path, `unknown operator "${operator}"`);
  }
}

function compileField(matchers: unknown[], path: string[]): PatternPredicate {
  if (matchers.length === 0)
    throw new InvalidPatternError(path, "a field's list of values is empty");
  const tests = matchers.map((matcher) => compileMatcher(matcher, path));
  return (value) => {
    const found = leaves(value);
    if (found.length === 0) return tests.some((test) => test.matchesAbsent);
    return found.some((leaf) => tests.some((test) => test.test(leaf)));
  };
}

function compileObject(pattern: unknown, path: string[]): PatternPredicate {
  if (!isObject(pattern)) throw new InvalidPatternError(path, "expected an object");
  const checks: PatternPredicate[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const here = [...path, key];
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) {
        throw new InvalidPatternError(here, `"$or" takes a list of at least two patterns`);
      }
      const options = value.map((option, i) => compileObject(option, [...here, String(i)]));
      checks.push((event) => options.some((option) => option(event)));
    } else if (Array.isArray(value)) {
      const field = compileField(value, here);
      checks.push((event) => field(isObject(event) ? event[key] : undefined));
    } else if (isObject(value)) {
      const nested = compileObject(value, here);
      checks.push((event) => {
        const child = isObject(event) ? event[key] : undefined;
        // An array of objects matches when one of its elements does.
        if (Array.isArray(child)) return child.some((item) => nested(isObject(item) ? item : {}));
        return nested(isObject(child) ? child : {});
      });
    } else {
      throw new InvalidPatternError(
        here,
        `expected a list of values or a nested object, got ${JSON.stringify(value)}`,
      );
    }
  }
  return (event) => checks.every((check) => check(event));
}

/**
 * Validates an event pattern (an object, or its JSON text as in Lambda FilterCriteria) and
 * returns a predicate. Throws InvalidPatternError naming the field and the problem.
 */
export function compilePattern(pattern: EventPattern | string): PatternPredicate {
  let parsed: unknown = pattern;
  if (typeof pattern === "string") {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidPatternError([], `not valid JSON (${(error as Error).message})`);
    }
  }
  return compileObject(parsed, []);
}

/** One-off match; compile once with compilePattern when matching many events. */
export function matchesPattern(pattern: EventPattern | string, event: unknown): boolean {
  return compilePattern(pattern)(event);
}
