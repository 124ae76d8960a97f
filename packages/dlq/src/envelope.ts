import { createHash } from "node:crypto";
import type { DynamoDBStreamRecord } from "@sluice/records";
import type { DeadLetter } from "@sluice/runtime";
import { EnvelopeError } from "./errors.js";
import { toLambdaRecordJson } from "./record-json.js";

export const ENVELOPE_VERSION = 1;

/** The dead-letter envelope, version 1. Documented in the package README. */
export interface Envelope {
  v: 1;
  /** Derived from pipeline, processor and the record's eventID: the same failure has the same id. */
  id: string;
  pipeline: string;
  processor: string;
  /** The record exactly as received, in Lambda's JSON form. */
  record: DynamoDBStreamRecord;
  error: EnvelopeErrorInfo;
  attempts: number;
  /** ISO 8601. */
  firstFailureAt: string;
  lastFailureAt: string;
}

export interface EnvelopeErrorInfo {
  class: "permanent" | "transient";
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

/** What a message carries instead of the envelope when the envelope was too big for it. */
export interface ClaimCheckPointer {
  v: 1;
  id: string;
  pipeline: string;
  processor: string;
  errorCode?: string;
  claimCheck: { bucket: string; key: string; bytes: number };
}

const STACK_LINES = 15;
const STACK_CHARS = 4000;

/** A stable id for a failure: the same record failing in the same processor gets the same id. */
export function envelopeId(
  pipeline: string,
  processor: string,
  record: DynamoDBStreamRecord,
): string {
  const recordKey =
    record.eventID ?? record.dynamodb?.SequenceNumber ?? JSON.stringify(toLambdaRecordJson(record));
  return createHash("sha256")
    .update(`${pipeline}\n${processor}\n${recordKey}`)
    .digest("hex")
    .slice(0, 32);
}

export function toEnvelope(letter: DeadLetter): Envelope {
  const { error } = letter;
  const info: EnvelopeErrorInfo = { class: error.class, name: error.name, message: error.message };
  if (error.code !== undefined) info.code = error.code;
  if (error.stack !== undefined) info.stack = trimStack(error.stack);
  return {
    v: ENVELOPE_VERSION,
    id: envelopeId(letter.pipeline, letter.processor, letter.record),
    pipeline: letter.pipeline,
    processor: letter.processor,
    record: toLambdaRecordJson(letter.record),
    error: info,
    attempts: letter.attempts,
    firstFailureAt: letter.firstFailureAt.toISOString(),
    lastFailureAt: letter.lastFailureAt.toISOString(),
  };
}

/** Keeps the frames that locate the failure; a deep stack would only push messages over size limits. */
export function trimStack(stack: string): string {
  const lines = stack.split("\n").slice(0, STACK_LINES).join("\n");
  return lines.length > STACK_CHARS ? lines.slice(0, STACK_CHARS) : lines;
}

/** Reads an envelope, checking its version and every field it promises. */
export function parseEnvelope(text: string): Envelope {
  const parsed = parseDeadLetterMessage(text);
  if ("claimCheck" in parsed) {
    throw new EnvelopeError(
      "INVALID_ENVELOPE",
      `Expected an envelope but found a claim-check pointer to s3://${parsed.claimCheck.bucket}/${parsed.claimCheck.key}; fetch that object and parse it instead.`,
    );
  }
  return parsed;
}

/** Reads what a sluice dead-letter message carries: an envelope, or a pointer to one in S3. */
export function parseDeadLetterMessage(text: string): Envelope | ClaimCheckPointer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new EnvelopeError(
      "NOT_JSON",
      `Dead-letter message is not JSON (starts with ${JSON.stringify(text.slice(0, 40))}); it was not written by a sluice router.`,
      { cause },
    );
  }
  if (!isObject(value)) {
    throw new EnvelopeError("INVALID_ENVELOPE", "Dead-letter message is JSON but not an object.");
  }
  if (value.v !== ENVELOPE_VERSION) {
    throw new EnvelopeError(
      "UNKNOWN_VERSION",
      `Dead-letter envelope version ${JSON.stringify(value.v)} is not supported (this sluice reads version ${ENVELOPE_VERSION}); upgrade @sluice/dlq to read it.`,
    );
  }
  requireString(value, value, "id");
  requireString(value, value, "pipeline");
  requireString(value, value, "processor");
  if ("claimCheck" in value) return checkPointer(value);
  if (!isObject(value.record)) {
    throw new EnvelopeError("MISSING_PAYLOAD", `Envelope ${value.id} has no record.`);
  }
  const error = value.error;
  if (!isObject(error)) invalid(value, "error");
  if (error.class !== "permanent" && error.class !== "transient") invalid(value, "error.class");
  requireString(value, error, "name", "error.");
  requireString(value, error, "message", "error.");
  if (error.code !== undefined && typeof error.code !== "string") invalid(value, "error.code");
  if (error.stack !== undefined && typeof error.stack !== "string") invalid(value, "error.stack");
  if (typeof value.attempts !== "number" || !Number.isInteger(value.attempts)) {
    invalid(value, "attempts");
  }
  requireTime(value, "firstFailureAt");
  requireTime(value, "lastFailureAt");
  return value as unknown as Envelope;
}

function checkPointer(value: Record<string, unknown>): ClaimCheckPointer {
  const check = value.claimCheck;
  if (!isObject(check)) invalid(value, "claimCheck");
  requireString(value, check, "bucket", "claimCheck.");
  requireString(value, check, "key", "claimCheck.");
  if (typeof check.bytes !== "number") invalid(value, "claimCheck.bytes");
  return value as unknown as ClaimCheckPointer;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function requireString(
  envelope: Record<string, unknown>,
  obj: Record<string, unknown>,
  field: string,
  path = "",
): void {
  if (typeof obj[field] !== "string" || obj[field] === "") invalid(envelope, `${path}${field}`);
}

function requireTime(obj: Record<string, unknown>, field: string): void {
  const text = obj[field];
  if (typeof text !== "string" || Number.isNaN(Date.parse(text))) invalid(obj, field);
}

function invalid(obj: Record<string, unknown>, field: string): never {
  const which = typeof obj.id === "string" ? `Envelope ${obj.id}` : "Envelope";
  throw new EnvelopeError(
    "INVALID_ENVELOPE",
    `${which} has a missing or malformed "${field}"; it was not written by a sluice router or was edited.`,
  );
}
