/** A JSON number as its text, so no digit is lost to a double. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

function sourceOf(value: number, context: { source?: string } | undefined): string {
  // Node 21+ hands revivers the source text of primitives; without it digits would be lost.
  if (context?.source === undefined) {
    throw new Error(`Reading ${value} exactly needs JSON.parse source text access (Node 21+).`);
  }
  return context.source;
}

/** Parses JSON with every number as a `JsonNumber` holding its text. */
export function parseExactJson(text: string): unknown {
  const reviver: Reviver = (_key, value, context) =>
    typeof value === "number" ? new JsonNumber(sourceOf(value, context)) : value;
  return JSON.parse(text, reviver as (key: string, value: unknown) => unknown);
}
