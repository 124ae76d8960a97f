import {
  type ChangeEvent,
  type DecodeOptions,
  type DynamoDBStreamEvent,
  decodeLambdaEvent,
  type Item,
} from "@sluice/records";
import { DynamoDBCheckpointStore } from "./checkpoint/dynamodb.js";
import { type CheckpointScope, checkpointScope } from "./checkpoint/scope.js";
import { isCovered, nextCheckpoint } from "./checkpoint/state.js";
import type { CheckpointState, CheckpointStore } from "./checkpoint/types.js";
import type { DeadLetterHook } from "./dead-letter.js";
import { Deadline } from "./deadline.js";
import { type DedupeStore, defaultDedupeTtlSeconds } from "./dedupe/types.js";
import { type Classifier, createClassifier, describeError, type ErrorClass } from "./errors.js";
import { createLogger, type Logger, type LoggerOptions } from "./logger.js";
import { type BatchCounts, emitBatchMetrics } from "./metrics.js";
import { isFinished, type Outcome } from "./outcome.js";
import {
  isBatchProcessor,
  type LambdaContext,
  type ProcessContext,
  type Processor,
} from "./processor.js";
import { type RetryOptions, retryPolicy } from "./retry.js";
import { type Ordering, type RunEnv, runProcessor } from "./run-processor.js";
import { type Slot, toSlots } from "./slots.js";
import { transactWithCheckpoint } from "./transaction.js";

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
}

export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context?: LambdaContext,
) => Promise<StreamResponse>;

const isLogger = (value: Logger | LoggerOptions | undefined): value is Logger =>
  typeof (value as Logger | undefined)?.info === "function";

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
  const classify = createClassifier(
    config.classify === undefined ? [] : [config.classify].flat(),
    config.unknownErrors,
  );
  const retry = retryPolicy(config.retry);
  const baseLog = isLogger(config.logger) ? config.logger : createLogger(config.logger);
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
      if (!lowest) return { batchItemFailures: [] };
      if (lowest.sequenceNumber === undefined) {
        // An identifier Lambda does not know fails the whole batch anyway; say why instead.
        throw new Error(
          `Record ${lowest.position} (eventID ${lowest.eventId}) failed and has no SequenceNumber to report; failing the batch so Lambda retries it.`,
        );
      }
      return { batchItemFailures: [{ itemIdentifier: lowest.sequenceNumber }] };
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
    const key = { pipeline: config.pipeline, processor: processor.name };
    const scope = config.checkpoints
      ? checkpointScope(event.shardId ?? slots[0]?.event?.meta.shardId, slots)
      : undefined;
    const checkpoints = config.checkpoints;
    const dedupe = config.dedupe;
    const dedupeScope = `${config.pipeline}|${processor.name}`;
    let checkpoint: CheckpointState | undefined;
    try {
      if (checkpoints && scope) {
        checkpoint = await withRetries(() => checkpoints.read({ ...key, scope: scope.read }));
        slots.forEach((slot, index) => {
          if (isCovered(checkpoint, slot.seq)) outcomes[index] = "skipped";
        });
      }
      if (dedupe) {
        const open = slots.filter((_, index) => outcomes[index] !== "skipped");
        const ids = open.map((slot) => slot.eventId);
        const seen = await withRetries(() => dedupe.seen(dedupeScope, ids));
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
    const committed: Committed = {};
    const commit =
      checkpoints instanceof DynamoDBCheckpointStore && scope && isBatchProcessor(processor)
        ? transactionalCommit(checkpoints, key, scope, checkpoint, slots, outcomes, committed)
        : undefined;
    await runProcessor(processor, slots, outcomes, {
      ...env,
      ...(commit && { commit }),
      ...(dedupe && {
        onApplied: async (slot: Slot<unknown>) => {
          await dedupe.mark(dedupeScope, slot.eventId);
        },
      }),
    });
    if (config.checkpoints && scope) {
      await saveCheckpoint(config.checkpoints, key, scope, checkpoint, slots, outcomes, {
        log: plog,
        deadline: env.deadline,
        committed,
      });
    }
    return outcomes;
  }

  async function withRetries<R>(operation: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await operation();
      } catch (error) {
        if (classify(error) === "permanent" || attempt >= retry.maxAttempts) throw error;
        await retry.sleep(retry.delay(attempt));
      }
    }
  }

  async function saveCheckpoint(
    store: CheckpointStore,
    key: { pipeline: string; processor: string },
    scope: NonNullable<ReturnType<typeof checkpointScope>>,
    previous: CheckpointState | undefined,
    slots: Slot<T>[],
    outcomes: Outcome[],
    { log, deadline, committed }: { log: Logger; deadline: Deadline; committed: Committed },
  ): Promise<void> {
    const next = nextCheckpoint(previous, slots, outcomes);
    if (!next) return;
    const firstUnfinished = outcomes.findIndex((outcome) => !isFinished(outcome));
    const writeScope = scope.write(firstUnfinished);
    if (committed.scope === writeScope && sameState(committed.state, next)) return;
    // A resume point under a new key starts from nothing: write it as a fresh checkpoint.
    const base = writeScope === scope.read ? previous : undefined;
    const options = scope.expires
      ? { expiresAt: Math.floor(Date.now() / 1000) + defaultDedupeTtlSeconds }
      : {};
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await store.write({ ...key, scope: writeScope }, next, base, options);
        if (result === "stale") {
          log.info("checkpoint already ahead (a concurrent writer won); left as is", {
            sequenceNumber: next.sequenceNumber,
          });
        }
        return;
      } catch (error) {
        const delay = retry.delay(attempt);
        if (
          classify(error) === "permanent" ||
          attempt >= retry.maxAttempts ||
          !deadline.allows(delay)
        ) {
          // The records stay applied; redelivered ones past the last checkpoint run again.
          log.error("checkpoint write failed; redelivered records may be applied again", {
            error: describeError(error),
          });
          return;
        }
        await retry.sleep(delay);
      }
    }
  }
}

/** What a batch processor already committed with its effect. */
interface Committed {
  scope?: string;
  state?: CheckpointState;
  indexes?: Set<number>;
}

const sameState = (a: CheckpointState | undefined, b: CheckpointState): boolean =>
  a !== undefined &&
  a.sequenceNumber === b.sequenceNumber &&
  a.finished.length === b.finished.length &&
  a.finished.every((seq) => b.finished.includes(seq));

/**
 * `ctx.commit` for batch processors: the checkpoint as if the given events (and those committed
 * before) were applied, written in the same transaction as the effect.
 */
function transactionalCommit<T>(
  store: DynamoDBCheckpointStore,
  key: { pipeline: string; processor: string },
  scope: CheckpointScope,
  read: CheckpointState | undefined,
  slots: Slot<T>[],
  outcomes: Outcome[],
  committed: Committed,
): NonNullable<ProcessContext["commit"]> {
  const indexOf = new Map(slots.map((slot, index) => [slot.eventId, index]));
  return async (writes, events) => {
    const indexes = new Set(committed.indexes);
    for (const event of events) {
      const index = indexOf.get(event.meta.eventId);
      if (index === undefined) {
        throw new Error(`commit() got event ${event.meta.eventId}, which is not in this batch.`);
      }
      indexes.add(index);
    }
    const assumed = outcomes.map((outcome, index) => (indexes.has(index) ? "applied" : outcome));
    const writeScope = scope.write(assumed.findIndex((outcome) => !isFinished(outcome)));
    // What is stored under the scope written to, as far as this invocation knows.
    const stored =
      committed.scope === writeScope
        ? committed.state
        : writeScope === scope.read
          ? read
          : undefined;
    const next = nextCheckpoint(committed.state ?? read, slots, assumed);
    if (!next) throw new Error("commit() got no event that moves the checkpoint.");
    const seqs = events.map((event) => event.meta.sequenceNumber).join(",");
    await transactWithCheckpoint({
      client: store.client,
      writes,
      checkpoint: { store, key: { ...key, scope: writeScope }, next, previous: stored },
      batchId: `${key.pipeline}|${key.processor}|${writeScope}|${seqs}`,
    });
    committed.scope = writeScope;
    committed.state = next;
    committed.indexes = indexes;
  };
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
