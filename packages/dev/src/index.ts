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
export { type ConsoleOptions, type RunningConsole, startConsole } from "./console/index.js";
export { DEFAULT_PIPELINE_FILES, loadPipelineFile } from "./pipeline-file.js";
export { createTerminalView, type TerminalView, type TerminalViewOptions } from "./terminal-view.js";
