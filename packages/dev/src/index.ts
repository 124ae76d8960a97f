export { entityOf, toChangeView } from "./change-view.js";
export { type DeadLetterQueue, deadLetterQueue } from "./dead-letter-queue.js";
export { handlerSource, type LoadedHandler, watchHandler } from "./handlers.js";
export {
  awsEnvironment,
  createLocalResources,
  EMBEDDED_SEARCH_SCHEME,
  type LocalQueue,
  type LocalResources,
} from "./local-resources.js";
export { type DevSession, type DevSessionOptions, startDevSession } from "./session.js";
export type * from "./types.js";
