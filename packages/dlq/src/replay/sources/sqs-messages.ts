import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { ReplayRecord, ReplaySource, SourceMessage } from "../types.js";

export interface SqsSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** Long-poll wait; the source ends at the first empty receive. Default 2 seconds. */
  waitTimeSeconds?: number;
  /**
   * How long a received message stays hidden from other readers. Messages left in place become
   * visible again when the run ends; a crashed run's messages after this time. Default 300.
   */
  visibilityTimeoutSeconds?: number;
}

/**
 * Reads a queue until it is empty. Received messages that were not deleted (left in place, or
 * never reached because the run stopped) stay hidden for the rest of the run, so each is seen
 * once, and are made visible again when the run ends.
 */
export function sqsMessageSource(
  describe: string,
  options: SqsSourceOptions,
  load: (message: Message) => Promise<ReplayRecord[]>,
  afterDelete?: (message: Message) => Promise<void>,
  idsOf?: (message: Message) => string[] | undefined,
): ReplaySource {
  const { sqs, queueUrl } = options;
  const held = new Set<string>();
  return {
    describe,
    async estimate() {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      const count = Number(Attributes?.ApproximateNumberOfMessages);
      return Number.isFinite(count) ? count : undefined;
    },
    async *messages(signal?: AbortSignal): AsyncIterable<SourceMessage> {
      while (!signal?.aborted) {
        const received = await sqs
          .send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: options.waitTimeSeconds ?? 2,
              VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
              MessageAttributeNames: ["All"],
            }),
            { abortSignal: signal },
          )
          .catch((error: unknown) => {
            if (signal?.aborted) return { Messages: [] };
            throw error;
          });
        const messages = received.Messages ?? [];
        if (messages.length === 0) return;
        for (const message of messages) if (message.ReceiptHandle) held.add(message.ReceiptHandle);
        for (const message of messages) {
          const ids = idsOf?.(message);
          yield {
            ref: `sqs:${message.MessageId}`,
            ...(ids && { ids }),
            load: () => load(message),
            complete: async () => {
              await sqs.send(
                new DeleteMessageCommand({
                  QueueUrl: queueUrl,
                  ReceiptHandle: message.ReceiptHandle,
                }),
              );
              held.delete(message.ReceiptHandle ?? "");
              await afterDelete?.(message);
            },
            release: async () => {},
          };
        }
      }
    },
    async close() {
      for (const handle of held) {
        held.delete(handle);
        // If this fails the message still comes back once its visibility timeout ends.
        await sqs
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queueUrl,
              ReceiptHandle: handle,
              VisibilityTimeout: 0,
            }),
          )
          .catch(() => {});
      }
    },
  };
}
