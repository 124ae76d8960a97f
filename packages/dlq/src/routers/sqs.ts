import {
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeadLetter, DeadLetterHook } from "@sluice/runtime";
import { type ClaimCheckOptions, checkIn } from "../claim-check.js";
import { type Envelope, toEnvelope } from "../envelope.js";
import { DeadLetterDeliveryError } from "../errors.js";
import { batchBySize, type RefusedEntry, type RetryOptions, sendWithRetries } from "../retry.js";

/** The largest SQS message and SendMessageBatch request: 1 MiB since August 2025. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
const SQS_MAX_BATCH_ENTRIES = 10;

export interface SqsRouterOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** Where envelopes over the message limit go. Without it such a dead letter fails to send. */
  claimCheck?: ClaimCheckOptions;
  /**
   * Message size limit, attributes included. Default: the queue's own MaximumMessageSize, read
   * once with GetQueueAttributes.
   */
  maxMessageBytes?: number;
  retry?: RetryOptions;
}

interface Entry {
  id: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  envelope: Envelope;
}

/**
 * A dead-letter hook that sends one message per envelope, ten to a SendMessageBatch, with message
 * attributes to filter on (pipeline, processor, errorClass, errorCode).
 */
export function sqsDeadLetterRouter(options: SqsRouterOptions): DeadLetterHook {
  const send = sqsEnvelopeSender(options);
  return (letters: DeadLetter[]) => send(letters.map(toEnvelope));
}

/** Sends envelopes as they are; replay uses it to re-drive records to a queue. */
export function sqsEnvelopeSender(
  options: SqsRouterOptions,
): (envelopes: Envelope[]) => Promise<void> {
  const destination = `SQS queue ${options.queueUrl}`;
  const fifo = options.queueUrl.endsWith(".fifo");
  let limit: Promise<number> | undefined;
  const maxMessageBytes = () => {
    limit ??= queueLimit(options, destination).catch((error: unknown) => {
      limit = undefined;
      throw error;
    });
    return limit;
  };

  return async (envelopes: Envelope[]) => {
    if (envelopes.length === 0) return;
    const max = await maxMessageBytes();
    const entries = await Promise.all(
      envelopes.map(async (envelope, index) => {
        const entry: Entry = {
          id: `e${index}`,
          body: JSON.stringify(envelope),
          attributes: sqsAttributes(envelope),
          envelope,
        };
        if (messageBytes(entry) <= max) return entry;
        if (!options.claimCheck) {
          throw new DeadLetterDeliveryError(destination, [
            {
              id: envelope.id,
              code: "MessageTooLong",
              message: `Envelope is ${messageBytes(entry)} bytes, over the queue's ${max}; configure claimCheck with an S3 bucket.`,
            },
          ]);
        }
        entry.body = JSON.stringify(await checkIn(options.claimCheck, envelope, entry.body));
        return entry;
      }),
    );
    await sendWithRetries(
      destination,
      entries,
      (pending) => batchBySize(pending, SQS_MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES, messageBytes),
      (batch) => sendBatch(options, batch, fifo),
      options.retry,
    );
  };
}

async function sendBatch(options: SqsRouterOptions, batch: Entry[], fifo: boolean) {
  const result = await options.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: options.queueUrl,
      Entries: batch.map((entry) => ({
        Id: entry.id,
        MessageBody: entry.body,
        MessageAttributes: entry.attributes,
        // A resent envelope is the same message to a FIFO queue's deduplication.
        ...(fifo
          ? {
              MessageGroupId: `${entry.envelope.pipeline}/${entry.envelope.processor}`,
              MessageDeduplicationId: entry.envelope.id,
            }
          : {}),
      })),
    }),
  );
  return (result.Failed ?? []).map(
    (failure): RefusedEntry => ({
      id: failure.Id ?? "",
      code: failure.Code ?? "Unknown",
      message: failure.Message ?? "",
      retryable: failure.SenderFault !== true,
    }),
  );
}

export function sqsAttributes(envelope: Envelope): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    pipeline: { DataType: "String", StringValue: envelope.pipeline },
    processor: { DataType: "String", StringValue: envelope.processor },
    errorClass: { DataType: "String", StringValue: envelope.error.class },
  };
  if (envelope.error.code) {
    attributes.errorCode = { DataType: "String", StringValue: envelope.error.code };
  }
  return attributes;
}

/** SQS counts the body and each attribute's name, type and value. */
function messageBytes(entry: Pick<Entry, "body" | "attributes">): number {
  let bytes = Buffer.byteLength(entry.body);
  for (const [name, value] of Object.entries(entry.attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? "");
    bytes += Buffer.byteLength(value.StringValue ?? "");
  }
  return bytes;
}

async function queueLimit(options: SqsRouterOptions, destination: string): Promise<number> {
  if (options.maxMessageBytes !== undefined) return options.maxMessageBytes;
  try {
    const result = await options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: options.queueUrl,
        AttributeNames: ["MaximumMessageSize"],
      }),
    );
    const size = Number(result.Attributes?.MaximumMessageSize);
    return Number.isFinite(size) && size > 0 ? size : SQS_MAX_MESSAGE_BYTES;
  } catch (cause) {
    throw new DeadLetterDeliveryError(
      destination,
      [
        {
          id: "GetQueueAttributes",
          code: cause instanceof Error ? cause.name : "Error",
          message:
            "Could not read the queue's MaximumMessageSize; grant sqs:GetQueueAttributes or set maxMessageBytes.",
        },
      ],
      { cause },
    );
  }
}
