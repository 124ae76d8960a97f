import type { S3Client } from "@aws-sdk/client-s3";
import type { Item } from "@sluice/records";
import type { BatchProcessor } from "@sluice/runtime";
import type { UploadSettings } from "./upload.js";
import { writeArchive } from "./write.js";

export const DEFAULT_AUDIT_PREFIX = "audit";

export interface AuditArchiveOptions extends UploadSettings {
  s3: S3Client;
  bucket: string;
  /** Folder of the archive in the bucket. Default `audit`. */
  prefix?: string;
  /** Names the processor's checkpoint, logs and metrics. Default `audit-archive`. */
  name?: string;
  /** Table name for the `table=` partition and the lines. Default: the table of the stream ARN. */
  table?: string;
}

/**
 * Archives every change as a line of gzipped JSON in S3, one object per batch and partition
 * (`PREFIX/table=NAME/dt=YYYY-MM-DD/hour=HH/`), keyed by the changes it holds so a retry
 * overwrites instead of duplicating.
 */
export function auditArchive<T = Item>(options: AuditArchiveOptions): BatchProcessor<T> {
  const { name = "audit-archive", prefix = DEFAULT_AUDIT_PREFIX, ...target } = options;
  return {
    name,
    process: (events, ctx) => writeArchive(events, { ...target, prefix }, ctx.signal),
  };
}
