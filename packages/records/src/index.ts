export { parseStreamArn, type StreamArnParts } from "./arn.js";
export { decodeAttribute, decodeImage } from "./attribute.js";
export { type DecodeRecordsOptions, type DecodeResult, decodeRecords } from "./batch.js";
export { bytesToBase64, decodeBinary } from "./binary.js";
export * from "./errors.js";
export { canonicalNumber, decimal, decodeNumber, isDecimal } from "./numbers.js";
export { decodeRecord, type RecordContext } from "./record.js";
export {
  compareSequenceNumbers,
  isSequenceNumber,
  maxSequenceNumber,
  minSequenceNumber,
} from "./sequence.js";
export { decodeLambdaEvent, isLambdaStreamEvent } from "./sources/lambda.js";
export { isTtlIdentity, removeCause } from "./ttl.js";
export type * from "./types.js";
