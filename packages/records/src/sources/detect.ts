import type { DecodeResult } from "../batch.js";
import { SluiceDecodeError } from "../errors.js";
import type { Item, SourceKind } from "../types.js";
import {
  decodeFailureDestinationPayload,
  isFailureDestinationPayload,
} from "./failure-destination.js";
import {
  decodeGetRecordsOutput,
  type GetRecordsDecodeOptions,
  isGetRecordsOutput,
} from "./get-records.js";
import { decodeKinesisEvent, isKinesisEvent, type KinesisDecodeOptions } from "./kinesis.js";
import { decodeLambdaEvent, isLambdaStreamEvent } from "./lambda.js";
import { decodePipesBatch, isPipesBatch } from "./pipes.js";

export type AnyDecodeOptions = GetRecordsDecodeOptions & KinesisDecodeOptions;

/** Says which source `input` is, or undefined when it is none of them. */
export function detectSource(input: unknown): SourceKind | undefined {
  if (isPipesBatch(input)) return "pipes";
  if (isFailureDestinationPayload(input)) return "failure-destination";
  if (isKinesisEvent(input)) return "kinesis";
  if (isGetRecordsOutput(input)) return "get-records";
  if (isLambdaStreamEvent(input)) return "lambda";
  return undefined;
}

/**
 * Decodes any supported source: a Lambda DynamoDB stream event, GetRecords output, a Lambda
 * Kinesis event from Kinesis Data Streams for DynamoDB, an EventBridge Pipes batch, or an S3
 * on-failure destination payload. Throws UNKNOWN_SOURCE when `input` is none of these.
 */
export function decode<T = Item>(
  input: unknown,
  options: AnyDecodeOptions = {},
): DecodeResult<T> & { source: SourceKind } {
  const source = detectSource(input);
  switch (source) {
    case "pipes":
      return { source, ...decodePipesBatch<T>(input as never, options) };
    case "failure-destination":
      return { source, ...decodeFailureDestinationPayload<T>(input as never, options) };
    case "kinesis":
      return { source, ...decodeKinesisEvent<T>(input as never, options) };
    case "get-records":
      return { source, ...decodeGetRecordsOutput<T>(input as never, options) };
    case "lambda":
      return { source, ...decodeLambdaEvent<T>(input as never, options) };
    default:
      throw new SluiceDecodeError(
        "UNKNOWN_SOURCE",
        "Input is not a supported source: expected a Lambda DynamoDB stream event, GetRecords output, a Kinesis event from Kinesis Data Streams for DynamoDB, an EventBridge Pipes batch (array of records) or an S3 on-failure destination payload",
      );
  }
}
