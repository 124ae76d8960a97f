export { parseStreamArn, type StreamArnParts } from "./arn.js";
export { decodeAttribute, decodeImage } from "./attribute.js";
export { type DecodeRecordsOptions, type DecodeResult, decodeRecords } from "./batch.js";
export { bytesToBase64, decodeBinary } from "./binary.js";
export { type ChangedFields, changedFields } from "./changed-fields.js";
export {
  defineEntities,
  type EntityDefinition,
  type EntityEvent,
  type EntityMatch,
  type EntityRouter,
  type EntityRouterOptions,
  type RouteResult,
} from "./entities.js";
export { decodedEqual } from "./equality.js";
export * from "./errors.js";
export { stringifyDecoded, toJsonLine } from "./json.js";
export { canonicalNumber, decimal, decodeNumber, isDecimal } from "./numbers.js";
export { decodeRecord, type RecordContext } from "./record.js";
export {
  compareSequenceNumbers,
  isSequenceNumber,
  maxSequenceNumber,
  minSequenceNumber,
} from "./sequence.js";
export { type AnyDecodeOptions, decode, detectSource } from "./sources/detect.js";
export {
  type DDBStreamBatchInfo,
  decodeFailureDestinationPayload,
  type FailureDestinationPayload,
  isFailureDestinationPayload,
} from "./sources/failure-destination.js";
export {
  decodeGetRecordsOutput,
  type GetRecordsDecodeOptions,
  type GetRecordsOutput,
  isGetRecordsOutput,
} from "./sources/get-records.js";
export {
  decodeKinesisEvent,
  isKinesisEvent,
  type KinesisChangeRecord,
  type KinesisDecodeOptions,
  type KinesisStreamEvent,
  type KinesisStreamRecord,
} from "./sources/kinesis.js";
export { decodeLambdaEvent, isLambdaStreamEvent } from "./sources/lambda.js";
export { decodePipesBatch, isPipesBatch } from "./sources/pipes.js";
export { stripBom } from "./text.js";
export { isTtlIdentity, removeCause } from "./ttl.js";
export type * from "./types.js";
