export { entityOf, toChangeView } from "./change-view.js";
export { type ConsoleOptions, type RunningConsole, startConsole } from "./console/index.js";
export { type DeadLetterQueue, deadLetterQueue } from "./dead-letter-queue.js";
export { handlerSource, type LoadedHandler, watchHandler } from "./handlers.js";
export {
  awsEnvironment,
  createLocalResources,
  type LocalQueue,
  type LocalResources,
} from "./local-resources.js";
export { DEFAULT_PIPELINE_FILES, loadPipelineFile } from "./pipeline-file.js";
export {
  type DevSession,
  type DevSessionOptions,
  type SessionStack,
  startDevSession,
} from "./session.js";
export {
  type Tail,
  type TailFilter,
  type TailOptions,
  TailStartError,
  tailStream,
} from "./tail.js";
export {
  createTerminalView,
  type TerminalView,
  type TerminalViewOptions,
} from "./terminal-view.js";
export type * from "./types.js";
