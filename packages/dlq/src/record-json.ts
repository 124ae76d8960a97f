import type { DynamoDBStreamRecord } from "@sluice/records";

/**
 * The record in Lambda's JSON form. Lambda events already are; GetRecords output carries a Date
 * and bytes, which become epoch seconds and base64 the way Lambda delivers them.
 */
export function toLambdaRecordJson(record: DynamoDBStreamRecord): DynamoDBStreamRecord {
  return convert(record) as DynamoDBStreamRecord;
}

function convert(value: unknown): unknown {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined) out[key] = convert(inner);
    }
    return out;
  }
  return value;
}
