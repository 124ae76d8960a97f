import { createHash } from "node:crypto";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { DeadLetter, DeadLetterHook } from "@sluice/runtime";
import { type Envelope, toEnvelope } from "../envelope.js";
import { type RefusedEntry, type RetryOptions, sendWithRetries } from "../retry.js";

export const DEFAULT_S3_DLQ_PREFIX = "sluice-dlq/";

export interface S3RouterOptions {
  s3: S3Client;
  bucket: string;
  /** Default `sluice-dlq/`. Keys are `<prefix><pipeline>/<processor>/<id>.json` (or `batch-<hash>.jsonl`). */
  prefix?: string;
  /** `envelope` (default): one JSON object per envelope. `batch`: one JSON Lines object per call and processor. */
  layout?: "envelope" | "batch";
  retry?: RetryOptions;
}

interface S3Entry {
  id: string;
  key: string;
  body: string;
}

/**
 * A dead-letter hook that writes envelopes to S3. Keys derive from the envelope ids, so a retried
 * call overwrites the same objects instead of duplicating them.
 */
export function s3DeadLetterRouter(options: S3RouterOptions): DeadLetterHook {
  const prefix = options.prefix ?? DEFAULT_S3_DLQ_PREFIX;
  const destination = `S3 bucket ${options.bucket} (prefix ${prefix})`;
  return async (letters: DeadLetter[]) => {
    const envelopes = letters.map(toEnvelope);
    const entries =
      options.layout === "batch"
        ? batchObjects(prefix, envelopes)
        : envelopeObjects(prefix, envelopes);
    await sendWithRetries(
      destination,
      entries,
      (pending) => pending.map((entry) => [entry]),
      async ([entry]) => {
        if (!entry) return [];
        await options.s3.send(
          new PutObjectCommand({
            Bucket: options.bucket,
            Key: entry.key,
            Body: entry.body,
            ContentType: options.layout === "batch" ? "application/x-ndjson" : "application/json",
          }),
        );
        return [] as RefusedEntry[];
      },
      options.retry,
    );
  };
}

export function envelopeKey(prefix: string, envelope: Envelope): string {
  return `${prefix}${envelope.pipeline}/${envelope.processor}/${envelope.id}.json`;
}

function envelopeObjects(prefix: string, envelopes: Envelope[]): S3Entry[] {
  return envelopes.map((envelope) => ({
    id: envelope.id,
    key: envelopeKey(prefix, envelope),
    body: JSON.stringify(envelope),
  }));
}

function batchObjects(prefix: string, envelopes: Envelope[]): S3Entry[] {
  const groups = new Map<string, Envelope[]>();
  for (const envelope of envelopes) {
    const folder = `${prefix}${envelope.pipeline}/${envelope.processor}/`;
    groups.set(folder, [...(groups.get(folder) ?? []), envelope]);
  }
  return [...groups].map(([folder, group]) => {
    const ids = group.map((e) => e.id).sort();
    const hash = createHash("sha256").update(ids.join("\n")).digest("hex").slice(0, 32);
    return {
      id: hash,
      key: `${folder}batch-${hash}.jsonl`,
      body: `${group.map((e) => JSON.stringify(e)).join("\n")}\n`,
    };
  });
}
