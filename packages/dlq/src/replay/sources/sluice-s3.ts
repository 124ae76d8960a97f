import { parseEnvelope } from "../../envelope.js";
import { DEFAULT_S3_DLQ_PREFIX } from "../../routers/s3.js";
import type { ReplaySource } from "../types.js";
import { type S3SourceOptions, s3ObjectSource } from "./s3-objects.js";
import { fromEnvelope } from "./sluice-sqs.js";

/** A sluice DLQ in S3: `.json` objects of one envelope and `.jsonl` objects of a batch. */
export function sluiceS3Source(options: S3SourceOptions): ReplaySource {
  const prefix = options.prefix ?? DEFAULT_S3_DLQ_PREFIX;
  return s3ObjectSource(
    `sluice DLQ s3://${options.bucket}/${prefix}`,
    { ...options, prefix },
    (body, key) => {
      const text = Buffer.from(body).toString("utf8");
      const lines = key.endsWith(".jsonl")
        ? text.split("\n").filter((l) => l.trim() !== "")
        : [text];
      return lines.map((line) => fromEnvelope(parseEnvelope(line)));
    },
  );
}
