export { TtlArchiveError, type TtlArchiveErrorCode } from "./errors.js";
export { ttlFilterCriteria } from "./filter.js";
export { type ItemExpiredSettings, itemExpiredEntry } from "./item-expired.js";
export { DEFAULT_TTL_PREFIX, type TtlArchiveOptions, ttlArchive } from "./processor.js";
