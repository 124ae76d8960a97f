import type { EventSourceMappingOptions, StartingPosition } from "./types.js";

/** Settings with Lambda's defaults applied and checked against Lambda's ranges. */
export interface ResolvedSettings {
  startingPosition: StartingPosition;
  batchSize: number;
  batchingWindowMs: number;
  filterPatterns: string[];
  reportBatchItemFailures: boolean;
  bisect: boolean;
  /** -1 retries until the record leaves the stream. */
  maximumRetryAttempts: number;
  /** MaximumRecordAgeInSeconds, or the stream's 24-hour retention when it is -1. */
  maximumRecordAgeMs: number;
  parallelizationFactor: number;
  /** 0 when tumbling windows are off. */
  tumblingWindowMs: number;
  destination?: string;
  functionName: string;
  timeoutMs: number;
  memorySize: number;
  pollIntervalMs: number;
}

/** Lambda's synchronous invocation payload limit. */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** DynamoDB streams keep records 24 hours: with no age limit, that is where retries end. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Lambda's limit on the size of a tumbling window's state. */
export const WINDOW_STATE_LIMIT_BYTES = 1024 * 1024;
const MAX_FILTERS = 5;

function integerIn(name: string, value: number, min: number, max: number, extra = ""): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}${extra}; got ${value}.`);
  }
  return value;
}

export function resolveSettings(options: EventSourceMappingOptions): ResolvedSettings {
  const position = options.StartingPosition;
  if (position !== "TRIM_HORIZON" && position !== "LATEST") {
    throw new TypeError(
      `StartingPosition must be "TRIM_HORIZON" or "LATEST" (AT_TIMESTAMP is Kinesis only); got ${String(position)}.`,
    );
  }
  const batchSize = integerIn("BatchSize", options.BatchSize ?? 100, 1, 10_000);
  const window = integerIn(
    "MaximumBatchingWindowInSeconds",
    options.MaximumBatchingWindowInSeconds ?? 0,
    0,
    300,
  );
  const retries = options.MaximumRetryAttempts ?? -1;
  integerIn("MaximumRetryAttempts", retries, -1, 10_000, " (-1 retries until the record expires)");
  const age = options.MaximumRecordAgeInSeconds ?? -1;
  if (age !== -1) {
    integerIn("MaximumRecordAgeInSeconds", age, 60, 604_800, ", or -1 for no limit");
  }
  const factor = integerIn("ParallelizationFactor", options.ParallelizationFactor ?? 1, 1, 10);
  const tumbling = options.TumblingWindowInSeconds ?? 0;
  integerIn("TumblingWindowInSeconds", tumbling, 0, 900);

  const filters = options.FilterCriteria?.Filters ?? [];
  if (!Array.isArray(filters) || filters.length > MAX_FILTERS) {
    throw new RangeError(
      `FilterCriteria.Filters takes at most ${MAX_FILTERS} filters (Lambda's default quota); combine patterns with $or instead.`,
    );
  }
  const types = options.FunctionResponseTypes ?? [];
  for (const type of types) {
    if (type !== "ReportBatchItemFailures") {
      throw new TypeError(
        `FunctionResponseTypes accepts only "ReportBatchItemFailures"; got ${String(type)}.`,
      );
    }
  }
  const destination = options.DestinationConfig?.OnFailure?.Destination;
  if (destination !== undefined && !/^arn:[^:]+:(sqs|sns|s3):/.test(destination)) {
    throw new TypeError(
      `DestinationConfig.OnFailure.Destination must be the ARN of an SQS queue, SNS topic or S3 bucket; got ${destination}.`,
    );
  }
  if (destination?.endsWith(".fifo")) {
    throw new TypeError(
      `Lambda cannot send stream failures to a FIFO queue or topic (${destination}); use a standard one.`,
    );
  }
  const timeout = options.timeout ?? 3;
  if (!(timeout > 0 && timeout <= 900)) {
    throw new RangeError(`timeout is in seconds, more than 0 and at most 900; got ${timeout}.`);
  }
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  if (!(pollIntervalMs >= 0)) {
    throw new RangeError(`pollIntervalMs must be 0 or more; got ${pollIntervalMs}.`);
  }
  return {
    startingPosition: position,
    batchSize,
    batchingWindowMs: window * 1000,
    filterPatterns: filters.map((filter) => filter.Pattern),
    reportBatchItemFailures: types.includes("ReportBatchItemFailures"),
    bisect: options.BisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: retries,
    maximumRecordAgeMs: age === -1 ? STREAM_RETENTION_MS : age * 1000,
    parallelizationFactor: factor,
    tumblingWindowMs: tumbling * 1000,
    destination,
    functionName: options.functionName ?? "local-function",
    timeoutMs: Math.round(timeout * 1000),
    memorySize: options.memorySize ?? 128,
    pollIntervalMs,
  };
}
