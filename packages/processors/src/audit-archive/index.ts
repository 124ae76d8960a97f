export { type AthenaTableOptions, athenaTableDdl } from "./athena.js";
export {
  AuditArchiveError,
  type AuditArchiveErrorCode,
  type AuditArchiveErrorDetails,
} from "./errors.js";
export { archiveLine, LINE_VERSION } from "./line.js";
export { type ArchivedLine, type LineMeta, parseArchiveLine } from "./parse-line.js";
export {
  type AuditArchiveOptions,
  auditArchive,
  DEFAULT_AUDIT_PREFIX,
} from "./processor.js";
export { type ReadAuditArchiveOptions, readAuditArchive } from "./read.js";
export type { UploadSettings } from "./upload.js";
