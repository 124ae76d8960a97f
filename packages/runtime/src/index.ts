export {
  checkpointTableInput,
  conditionFailures,
  DynamoDBCheckpointStore,
  type DynamoDBCheckpointStoreOptions,
  pad as padSequenceNumber,
} from "./checkpoint/dynamodb.js";
export { MemoryCheckpointStore } from "./checkpoint/memory.js";
export { CommitRefusedError } from "./checkpoint/session.js";
export type { CheckpointStore, ItemWatermark } from "./checkpoint/types.js";
export { checkpointId, watermarkTtlSeconds } from "./checkpoint/watermarks.js";
export type { DeadLetter, DeadLetterHook } from "./dead-letter.js";
export { DeadlineError } from "./deadline.js";
export {
  DynamoDBDedupeStore,
  type DynamoDBDedupeStoreOptions,
  dedupeTableInput,
} from "./dedupe/dynamodb.js";
export { MemoryDedupeStore } from "./dedupe/memory.js";
export { type DedupeStore, defaultDedupeTtlSeconds } from "./dedupe/types.js";
export {
  type Classifier,
  createClassifier,
  defaultClassifier,
  type ErrorClass,
  PoisonRecordError,
  permanent,
  transient,
} from "./errors.js";
export {
  createBatchRunner,
  type StreamHandler,
  type StreamHandlerConfig,
  type StreamResponse,
  streamHandler,
} from "./handler.js";
export {
  createIdKeyedTable as createCheckpointTable,
  idKeyedTableTtlInput as checkpointTableTtlInput,
} from "./id-table.js";
export {
  createLogger,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
} from "./logger.js";
export { type BatchMetrics, emitBatchMetrics } from "./metrics.js";
export { sluiceMiddleware } from "./middy.js";
export type { Outcome } from "./outcome.js";
export type {
  BatchProcessor,
  LambdaContext,
  ProcessContext,
  Processor,
  RecordProcessor,
  RecordResult,
} from "./processor.js";
export type { RetryOptions } from "./retry.js";
export type { Ordering } from "./run-processor.js";
export {
  chunkActions,
  requestToken,
  type TransactWithCheckpointInput,
  transactWithCheckpoint,
} from "./transaction.js";
export {
  type TumblingWindowConfig,
  tumblingWindow,
  type WindowInfo,
  type WindowResponse,
} from "./window.js";
