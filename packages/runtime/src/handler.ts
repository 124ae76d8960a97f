import {
  type ChangeEvent,
  type DecodeOptions,
  type DynamoDBStreamEvent,
  decodeLambdaEvent,
  type Item,
} from "@sluice/records";
import { DynamoDBCheckpointStore } from "./checkpoint/dynamodb.js";
import { CheckpointSession, isRedelivery, noteReported } from "./checkpoint/session.js";
import type { CheckpointStore } from "./checkpoint/types.js";
import type { DeadLetterHook } from "./dead-letter.js";
import { Deadline } from "./deadline.js";
import type { DedupeStore } from "./dedupe/types.js";
import { type Classifier, createClassifier, describeError, type ErrorClass } from "./errors.js";
import { type Logger, type LoggerOptions, resolveLogger } from "./logger.js";
import { type BatchCounts, emitBatchMetrics } from "./metrics.js";
import { isFinished, type Outcome } from "./outcome.js";
import {
  isBatchProcessor,
  type LambdaContext,
  type ProcessContext,
  type Processor,
} from "./processor.js";
import { type RetryOptions, retryPolicy, withRetries } from "./retry.js";
import { leaveLateRuns, type Ordering, type RunEnv, runProcessor } from "./run-processor.js";
import { type Slot, toSlots } from "./slots.js";

export interface StreamHandlerConfig<T = Item> {
  /** Names the pipeline in checkpoints, dead letters, logs and metrics. */
  pipeline: string;
  /** A per-record function; `processor` names it. Use this or `processors`. */
  handle?: (event: ChangeEvent<T>, ctx: ProcessContext) => unknown;
  processor?: string;
  /** Independent processors; each has its own checkpoint and outcome per record. */
  processors?: Processor<T>[];
  /** Default `strict`. */
  ordering?: Ordering;
  /** Items processed at once under `per-item`. Default 16. */
  concurrency?: number;
  decode?: DecodeOptions;
  deadLetter?: DeadLetterHook;
  checkpoints?: CheckpointStore;
  dedupe?: DedupeStore;
  retry?: RetryOptions;
  /** Extra classifiers, tried before the built-in rules. */
  classify?: Classifier | Classifier[];
  /** Class of errors no classifier recognises. Default `transient` (retried, never dropped). */
  unknownErrors?: ErrorClass;
  /** Stop starting work this long before the Lambda deadline. Default 3 s (at most 1/4 of the time). */
  deadlineMarginMs?: number;
  logger?: Logger | LoggerOptions;
  /** CloudWatch namespace of the EMF metrics, or false for none. Default `Sluice`. */
  metrics?: { namespace?: string } | false;
}

export interface StreamResponse {
  batchItemFailures: { itemIdentifier: string }[];
  /** Present when the mapping has a tumbling window: Lambda fails an invoke without it. */
  state?: Record<string, unknown>;
}

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context?: LambdaContext,
) => Promise<StreamResponse>;

function processorsOf<T>(config: StreamHandlerConfig<T>): Processor<T>[] {
  if (config.processors && config.handle) {
    throw new Error("Give streamHandler either `handle` or `processors`, not both.");
  }
  if (config.processors) {
    const names = new Set(config.processors.map((p) => p.name));
    if (names.size !== config.processors.length) {
      throw new Error("Processor names must be unique: each names its own checkpoint.");
    }
    return config.processors;
  }
  if (config.handle) return [{ name: config.processor ?? "default", handle: config.handle }];
  throw new Error("streamHandler needs `handle` (one function per record) or `processors`.");
}

function recordAgeMs<T>(slots: Slot<T>[], now: number): number | undefined {
  let oldest: number | undefined;
  for (const slot of slots) {
    const created = slot.record.dynamodb?.ApproximateCreationDateTime;
    const ms = created instanceof Date ? created.getTime() : created && created * 1000;
    if (ms !== undefined && (oldest === undefined || ms < oldest)) oldest = ms;
  }
  return oldest === undefined ? undefined : Math.max(0, now - oldest);
}

/** The batch runner behind both the Lambda handler and the middy middleware. */
export function createBatchRunner<T = Item>(config: StreamHandlerConfig<T>): StreamHandler {
  const processors = processorsOf(config);
  const classify = createClassifier(config.classify, config.unknownErrors);
  const retry = retryPolicy(config.retry);
  // The checkpoint write keeps the margin's time for itself: more attempts, shorter waits.
  const finalRetry = retryPolicy({
    maxAttempts: 6,
    baseDelayMs: 25,
    maxDelayMs: 400,
    ...(config.retry?.random && { random: config.retry.random }),
    ...(config.retry?.sleep && { sleep: config.retry.sleep }),
  });
  const baseLog = resolveLogger(config.logger);
  const log = baseLog.child({ pipeline: config.pipeline });
  const namespace = config.metrics === false ? undefined : (config.metrics?.namespace ?? "Sluice");

  return async (event, lambda) => {
    const started = performance.now();
    const deadline = new Deadline(
      lambda ? () => lambda.getRemainingTimeInMillis() : undefined,
      config.deadlineMarginMs,
    );
    try {
      const decoded = decodeLambdaEvent<T>(event, config.decode ?? {});
      const slots = toSlots<T>(event.Records, decoded.events, decoded.failures);
      const requestLog = lambda?.awsRequestId ? log.child({ requestId: lambda.awsRequestId }) : log;
      const results = await Promise.all(
        processors.map((processor) =>
          runOne(processor, slots, event, {
            pipeline: config.pipeline,
            ordering: config.ordering ?? "strict",
            concurrency: config.concurrency ?? 16,
            classify,
            retry,
            deadline,
            deadLetter: config.deadLetter,
            log: requestLog,
            lambda,
          }),
        ),
      );
      let lowest: Slot<T> | undefined;
      for (const outcomes of results) {
        const index = outcomes.findIndex((outcome) => !isFinished(outcome));
        const slot = slots[index];
        if (slot && (lowest === undefined || slot.position < lowest.position)) lowest = slot;
      }
      const durationMs = performance.now() - started;
      const ageMs = recordAgeMs(slots, Date.now());
      for (const [i, outcomes] of results.entries()) {
        const counts = countOutcomes(outcomes);
        const name = processors[i]!.name;
        requestLog.info("batch processed", { processor: name, records: slots.length, ...counts });
        if (namespace) {
          emitBatchMetrics(
            log,
            namespace,
            { pipeline: config.pipeline, processor: name },
            { ...counts, durationMs, ...(ageMs === undefined ? {} : { maxRecordAgeMs: ageMs }) },
          );
        }
      }
      // A tumbling window only to learn the shard id: pass its state through unchanged.
      const state = event.window ? { state: event.state ?? {} } : {};
      if (!lowest) return { batchItemFailures: [], ...state };
      if (lowest.sequenceNumber === undefined) {
        // An identifier Lambda does not know fails the whole batch anyway; say why instead.
        throw new Error(
          `Record ${lowest.position} (eventID ${lowest.eventId}) failed and has no SequenceNumber to report; failing the batch so Lambda retries it.`,
        );
      }
      noteReported(config.pipeline, lowest.sequenceNumber);
      return { batchItemFailures: [{ itemIdentifier: lowest.sequenceNumber }], ...state };
    } finally {
      deadline.dispose();
    }
  };

  async function runOne(
    processor: Processor<T>,
    slots: Slot<T>[],
    event: DynamoDBStreamEvent,
    env: RunEnv,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = slots.map(() => "not-started");
    const plog = env.log.child({ processor: processor.name });
    const names = { pipeline: config.pipeline, processor: processor.name };
    const dedupe = config.dedupe;
    const dedupeScope = `${names.pipeline}|${names.processor}`;
    const retrying = <R>(operation: () => Promise<R>) =>
      withRetries(operation, retry, classify, env.deadline);
    // A replay re-applies records that the checkpoint already counts as finished (dead-lettered).
    const checkpoints = event.replay ? undefined : config.checkpoints;
    // Read on conflict only where every effect is committed with the watermarks, and not for a
    // batch this container just saw fail: that one is a redelivery, likely covered in part.
    const readLater =
      isBatchProcessor(processor) &&
      processor.checkpointRead === "on-conflict" &&
      checkpoints instanceof DynamoDBCheckpointStore &&
      !isRedelivery(config.pipeline, slots as Slot<unknown>[]);
    let session: CheckpointSession<T> | undefined;
    try {
      if (checkpoints) {
        session = await CheckpointSession.open(checkpoints, names, slots, retrying, {
          read: !readLater,
        });
        session.skipCovered(outcomes);
      }
      if (dedupe) {
        const ids = slots.filter((_, i) => outcomes[i] !== "skipped").map((slot) => slot.eventId);
        const seen = await retrying(() => dedupe.seen(dedupeScope, ids));
        slots.forEach((slot, index) => {
          if (seen.has(slot.eventId)) outcomes[index] = "skipped";
        });
      }
    } catch (error) {
      // Without knowing what was applied, apply nothing: the whole batch comes back.
      plog.error("could not read the checkpoint or dedupe marks; the batch is reported", {
        error: describeError(error),
      });
      return slots.map(() => "not-started");
    }
    const commit = isBatchProcessor(processor) ? session?.commitFor() : undefined;
    const inFlight = new Map<number, Promise<Outcome>>();
    const runEnv: RunEnv = {
      ...env,
      inFlight,
      ...(commit && { commit }),
      ...(session &&
        !session.hasRead && {
          readOnConflict: async () => {
            await session.read(retrying);
            session.skipCovered(outcomes);
          },
        }),
      ...(dedupe && {
        onApplied: async (slot: Slot<unknown>) => {
          await dedupe.mark(dedupeScope, slot.eventId);
        },
      }),
    };
    const done = await env.deadline.race(
      runProcessor(processor, slots, outcomes, runEnv).then(() => true),
    );
    // Work that ignores the signal past the grace is left running: the batch answers without
    // it, so only the records still in flight can come back.
    const final = done ? outcomes : [...outcomes];
    if (!done) {
      const left = leaveLateRuns(processor.name, slots, runEnv);
      plog.warn("deadline: answering without work that ignored ctx.signal", { inFlight: left });
    }
    await session?.save(final, plog, (operation) =>
      withRetries(operation, finalRetry, classify, {
        allows: (ms) => env.deadline.allowsFinal(ms),
      }),
    );
    return final;
  }
}

function countOutcomes(outcomes: Outcome[]): BatchCounts {
  const counts = { processed: 0, failed: 0, deadLettered: 0, skipped: 0, deferred: 0 };
  for (const outcome of outcomes) {
    if (outcome === "applied") counts.processed++;
    else if (outcome === "failed") counts.failed++;
    else if (outcome === "dead-lettered") counts.deadLettered++;
    else if (outcome === "skipped") counts.skipped++;
    else counts.deferred++;
  }
  return counts;
}

/**
 * A Lambda handler for a DynamoDB stream trigger with ReportBatchItemFailures:
 * `export const handler = streamHandler({ pipeline, handle })`.
 */
export function streamHandler<T = Item>(config: StreamHandlerConfig<T>): StreamHandler {
  return createBatchRunner(config);
}
