import { PipelineDefinitionError } from "./errors.js";
import type { StartingPosition, Subscriber } from "./types.js";

/**
 * A subscriber's AWS::Lambda::EventSourceMapping settings, in the API's own names: what infra
 * deploys and what @sluice/local's event source mapping takes. `Destination` is the queue's ARN,
 * or whatever stands for it where it is not known yet (a Pulumi output).
 */
export interface EventSourceMappingSettings<Destination = string> {
  StartingPosition: StartingPosition;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  FilterCriteria?: { Filters: { Pattern: string }[] };
  /** sluice's runtime answers with partial batch responses; Lambda ignores them without this. */
  FunctionResponseTypes: "ReportBatchItemFailures"[];
  BisectBatchOnFunctionError: boolean;
  MaximumRetryAttempts: number;
  MaximumRecordAgeInSeconds: number;
  ParallelizationFactor: number;
  TumblingWindowInSeconds?: number;
  DestinationConfig?: { OnFailure: { Destination: Destination } };
}

/**
 * The mapping settings of a subscriber. `deadLetterQueueArn` is the on-failure destination: required
 * when the subscriber dead-letters to the queue, refused when it opted out with `deadLetter: false`.
 */
export function mappingSettings<Destination = string>(
  subscriber: Subscriber,
  deadLetterQueueArn?: Destination,
): EventSourceMappingSettings<Destination> {
  if (subscriber.deadLetter === "queue" && !deadLetterQueueArn) {
    throw new PipelineDefinitionError(
      "deadLetter",
      "dead-letters to the queue: pass the queue's ARN as the on-failure destination.",
      subscriber.name,
    );
  }
  if (subscriber.deadLetter === false && deadLetterQueueArn) {
    throw new PipelineDefinitionError(
      "deadLetter",
      'has deadLetter: false, so it takes no on-failure destination; set deadLetter: "queue" to use one.',
      subscriber.name,
    );
  }
  return {
    StartingPosition: subscriber.startingPosition,
    BatchSize: subscriber.batchSize,
    MaximumBatchingWindowInSeconds: subscriber.batchingWindowSeconds,
    ...(subscriber.filters.length > 0 && {
      FilterCriteria: {
        Filters: subscriber.filters.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
    }),
    FunctionResponseTypes: ["ReportBatchItemFailures"],
    BisectBatchOnFunctionError: subscriber.bisectOnError,
    MaximumRetryAttempts: subscriber.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: subscriber.maximumRecordAgeSeconds,
    ParallelizationFactor: subscriber.parallelizationFactor,
    ...(subscriber.tumblingWindowSeconds > 0 && {
      TumblingWindowInSeconds: subscriber.tumblingWindowSeconds,
    }),
    ...(deadLetterQueueArn && {
      DestinationConfig: { OnFailure: { Destination: deadLetterQueueArn } },
    }),
  };
}
