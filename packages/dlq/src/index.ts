export { type ClaimCheckOptions, checkIn, claim, discard } from "./claim-check.js";
export { type ClientConfig, type ReplayClients, replayClients } from "./clients.js";
export {
  type ClaimCheckPointer,
  ENVELOPE_VERSION,
  type Envelope,
  type EnvelopeErrorInfo,
  envelopeId,
  parseDeadLetterMessage,
  parseEnvelope,
  toEnvelope,
  trimStack,
} from "./envelope.js";
export {
  DeadLetterDeliveryError,
  EnvelopeError,
  type EnvelopeErrorCode,
  type FailedEntry,
  RecordsExpiredError,
  type StreamRange,
} from "./errors.js";
export {
  parseLambdaFailureRecord,
  recordsOfPayload,
} from "./lambda-destination.js";
export {
  type ReplayEvent,
  type ReplayOptions,
  type ReplaySummary,
  replay,
} from "./replay/engine.js";
export { type KeyCondition, matches, type ReplayFilter } from "./replay/filter.js";
export { fileProgress, memoryProgress, type ProgressStore } from "./replay/progress.js";
export { rateLimiter } from "./replay/rate-limit.js";
export { lambdaS3Source, lambdaSqsSource } from "./replay/sources/lambda.js";
export { type S3SourceOptions, s3ObjectSource } from "./replay/sources/s3-objects.js";
export { sluiceS3Source } from "./replay/sources/sluice-s3.js";
export { type SluiceSqsSourceOptions, sluiceSqsSource } from "./replay/sources/sluice-sqs.js";
export { type SqsSourceOptions, sqsMessageSource } from "./replay/sources/sqs-messages.js";
export {
  type HandlerTargetOptions,
  handlerTarget,
  type LambdaLikeContext,
  type StreamLambdaHandler,
} from "./replay/targets/handler.js";
export { queueTarget } from "./replay/targets/queue.js";
export type { ReplayRecord, ReplaySource, ReplayTarget, SourceMessage } from "./replay/types.js";
export type { RetryOptions } from "./retry.js";
export {
  EVENTBRIDGE_MAX_ENTRY_BYTES,
  type EventBridgeRouterOptions,
  entryBytes,
  eventBridgeDeadLetterRouter,
  RECORD_FAILED,
} from "./routers/eventbridge.js";
export { DEFAULT_S3_DLQ_PREFIX, type S3RouterOptions, s3DeadLetterRouter } from "./routers/s3.js";
export {
  SQS_MAX_MESSAGE_BYTES,
  type SqsRouterOptions,
  sqsAttributes,
  sqsDeadLetterRouter,
  sqsEnvelopeSender,
} from "./routers/sqs.js";
export { type ReadRangeOptions, readStreamRange } from "./stream-range.js";
