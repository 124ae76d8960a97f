import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { FailureDestinationPayload } from "@sluice/records";
import type { Context, DynamoDBStreamEvent } from "aws-lambda";

/** The event of a mapping with TumblingWindowInSeconds, as Lambda sends it. */
export interface DynamoDBTimeWindowEvent<TState = Record<string, unknown>>
  extends DynamoDBStreamEvent {
  window: { start: string; end: string };
  state: TState;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export type MappingEvent = DynamoDBStreamEvent | DynamoDBTimeWindowEvent;

/** A Lambda-style handler. Node.js 24 runtimes have no callback argument, so neither does this. */
// biome-ignore lint/suspicious/noExplicitAny: handlers narrow the event type themselves
export type StreamHandler<TEvent extends MappingEvent = any> = (
  event: TEvent,
  context: Context,
) => unknown;

export type StartingPosition = "TRIM_HORIZON" | "LATEST";

/** The settings of AWS::Lambda::EventSourceMapping that apply to DynamoDB streams. */
export interface MappingSettings {
  StartingPosition: StartingPosition;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  FilterCriteria?: { Filters: { Pattern: string }[] };
  FunctionResponseTypes?: "ReportBatchItemFailures"[];
  BisectBatchOnFunctionError?: boolean;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  ParallelizationFactor?: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure?: { Destination: string } };
}

export interface MappingClients {
  streams: DynamoDBStreamsClient;
  /** Needed only with `tableName`, to find the table's latest stream. */
  dynamodb?: DynamoDBClient;
  sqs?: SQSClient;
  sns?: SNSClient;
  s3?: S3Client;
}

export interface LocalSettings {
  /** Name of the simulated function; part of its ARN and of the context. Default "local-function". */
  functionName?: string;
  /** Function timeout in seconds (Lambda's default is 3). Fractions are allowed locally. */
  timeout?: number;
  memorySize?: number;
  /** Time between GetRecords calls on a shard. Lambda polls 4 times a second; default 50 ms. */
  pollIntervalMs?: number;
  /** Milliseconds since the epoch; replace it to move time for record age and windows in tests. */
  clock?: () => number;
  /** The mapping's UUID; request ids and S3 keys derive from it. Default: a random UUID. */
  uuid?: string;
  /** How many log entries, invocations and destination messages to keep. Default 10,000. */
  historyLimit?: number;
}

export type EventSourceMappingOptions = MappingSettings &
  LocalSettings & {
    handler: StreamHandler;
    clients: MappingClients;
  } & ({ streamArn: string; tableName?: undefined } | { tableName: string; streamArn?: undefined });

export type FailureCondition = "RetryAttemptsExhausted" | "MaximumRecordAgeExceeded";

export type InvocationOutcome =
  | { kind: "success" }
  | { kind: "partial"; index: number; sequenceNumber: string }
  | { kind: "failure"; reason: string; functionError?: "Unhandled" };

export interface InvocationLog {
  requestId: string;
  shardId: string;
  lane: number;
  event: MappingEvent;
  startedAt: number;
  durationMs: number;
  result?: unknown;
  error?: { errorType: string; errorMessage: string };
  outcome: InvocationOutcome;
}

export type MappingLogEntry =
  | { type: "invocation"; invocation: InvocationLog }
  | { type: "batch"; shardId: string; lane: number; sequenceNumbers: string[] }
  | { type: "filtered"; shardId: string; sequenceNumbers: string[] }
  | {
      type: "retry";
      shardId: string;
      lane: number;
      attempt: number;
      sequenceNumbers: string[];
      reason: string;
    }
  | { type: "bisect"; shardId: string; lane: number; halves: [string[], string[]] }
  | { type: "checkpoint"; shardId: string; sequenceNumber: string }
  | {
      type: "discard";
      shardId: string;
      condition: FailureCondition;
      sequenceNumbers: string[];
    }
  | { type: "destination"; target: string; message: FailureDestinationPayload; location?: string }
  | { type: "destination-error"; target: string; error: string }
  | { type: "window-closed"; shardId: string; window: { start: string; end: string } }
  | { type: "shard"; shardId: string; status: "reading" | "finished" }
  | { type: "poll-error"; shardId?: string; error: string };

export interface MappingStats {
  state: "created" | "starting" | "running" | "stopping" | "stopped";
  uuid: string;
  streamArn: string;
  shards: Record<string, "waiting" | "reading" | "finished">;
  recordsRead: number;
  recordsFiltered: number;
  recordsSucceeded: number;
  recordsDiscarded: number;
  recordsPending: number;
  invocations: number;
  /** Invocations that threw, timed out or reported a partial batch failure. */
  failedInvocations: number;
  retries: number;
  bisections: number;
  destinationMessages: number;
  checkpoints: Record<string, string>;
  /** Age of the newest record handed to the function when its invocation ended, as IteratorAge. */
  iteratorAgeMs: number;
  lastError?: string;
}
