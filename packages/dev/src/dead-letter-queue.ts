import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import {
  handlerTarget,
  type ReplayRecord,
  type ReplayTarget,
  replay,
  type StreamLambdaHandler,
  sluiceSqsSource,
} from "@sluice/dlq";
import { toChangeView } from "./change-view.js";
import type { DeadLetterView, ReplayResult } from "./types.js";

export interface DeadLetterQueueOptions {
  sqs: SQSClient;
  /** Reads claim-checked letters. */
  s3: S3Client;
  queueUrl: string;
  /** The handler that should see a processor's records again, or undefined when none is known. */
  handlerFor(processor: string): { name: string; handler: StreamLambdaHandler } | undefined;
}

function viewOf(record: ReplayRecord): DeadLetterView | undefined {
  const envelope = record.envelope;
  if (envelope === undefined) return undefined;
  let change: DeadLetterView["change"];
  try {
    change = toChangeView(record.record);
  } catch {
    return undefined;
  }
  return {
    id: envelope.id,
    processor: envelope.processor,
    ...(envelope.error.code !== undefined && { errorCode: envelope.error.code }),
    error: {
      class: envelope.error.class,
      name: envelope.error.name,
      message: envelope.error.message,
    },
    attempts: envelope.attempts,
    firstFailureAt: envelope.firstFailureAt,
    lastFailureAt: envelope.lastFailureAt,
    change,
  };
}

/**
 * The pipeline's dead-letter queue as the console sees it: a list that leaves every message in
 * place, and replays through the subscribers' current handlers. Reads and replays take turns, so
 * a listing never hides a message from a replay.
 */
export function deadLetterQueue(options: DeadLetterQueueOptions) {
  const source = () =>
    sluiceSqsSource({
      sqs: options.sqs,
      s3: options.s3,
      queueUrl: options.queueUrl,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work, work);
    turn = next.catch(() => undefined);
    return next;
  };

  const target: ReplayTarget = {
    describe: "the current handlers",
    async deliver(records) {
      const processor = records[0]?.meta.processor ?? "";
      const found = options.handlerFor(processor);
      if (found === undefined) {
        const reason = `no subscriber is known to run processor "${processor}" (it has not run since sluice dev started)`;
        return new Map(records.map((record) => [record.id, reason]));
      }
      return handlerTarget(found.handler, { functionName: found.name }).deliver(records);
    },
  };

  return {
    /** Every letter in the queue, decoded; nothing is removed. */
    list(): Promise<DeadLetterView[]> {
      return inTurn(async () => {
        const letters: DeadLetterView[] = [];
        await replay({
          source: source(),
          target,
          dryRun: true,
          onEvent: (event) => {
            if (event.type !== "would-replay") return;
            const view = viewOf(event.record);
            if (view && !letters.some((letter) => letter.id === view.id)) letters.push(view);
          },
        });
        return letters;
      });
    },
    /** Replays one letter (by id) or all; a letter that fails again stays in the queue. */
    replay(request: { id?: string }): Promise<ReplayResult> {
      return inTurn(async () => {
        const failures: ReplayResult["failures"] = [];
        const summary = await replay({
          source: source(),
          target,
          ...(request.id !== undefined && { filter: { ids: [request.id] } }),
          onEvent: (event) => {
            if (event.type === "failed-again")
              failures.push({ id: event.id, reason: event.reason });
          },
        });
        return { replayed: summary.replayed, failedAgain: summary.failedAgain, failures };
      });
    },
  };
}

export type DeadLetterQueue = ReturnType<typeof deadLetterQueue>;
