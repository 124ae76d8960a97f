export { buildFailureRecord, s3FailureKey } from "./destination.js";
export { toLambdaRecord } from "./lambda-event.js";
export { createEventSourceMapping, EventSourceMapping } from "./mapping.js";
export type { ResolvedSettings } from "./settings.js";
export type * from "./types.js";
