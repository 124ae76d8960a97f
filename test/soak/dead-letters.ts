// Reads every message of the dead-letter queue, following claim checks to S3, and leaves the
// queue as it found it for the replay that comes next.
import type { Packages, Sdk, Sender } from "./packages.ts";

export interface DeadLetterRead {
  /** The eventID of each message's record, one entry per message. */
  eventIds: string[];
  /** Messages that carried a claim-check pointer instead of the envelope. */
  claimChecked: number;
}

interface Message {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MessageAttributes?: Record<string, object>;
  Attributes?: { MessageGroupId?: string };
}

const inBatches = <T>(items: T[], size = 10): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/**
 * A standard queue is read by keeping each message hidden until all are read, then making them
 * visible again. A FIFO queue shows no more of a message group while any of it is in flight, so
 * there each message is deleted once read and, at the end, sent back as it was (body, attributes,
 * group) in the same order, with a new deduplication id.
 */
export async function readDeadLetters(
  packages: Packages,
  clients: { sqs: Sender; s3: Parameters<Packages["dlq"]["claim"]>[0] },
  queueUrl: string,
): Promise<DeadLetterRead> {
  const fifo = queueUrl.endsWith(".fifo");
  const received: Message[] = [];
  try {
    await receiveAll(packages.sdk, clients.sqs, queueUrl, fifo, received);
  } finally {
    await putBack(packages.sdk, clients.sqs, queueUrl, fifo, received);
  }
  const read: DeadLetterRead = { eventIds: [], claimChecked: 0 };
  for (const message of received) {
    const parsed = packages.dlq.parseDeadLetterMessage(message.Body);
    const envelope = "claimCheck" in parsed ? await packages.dlq.claim(clients.s3, parsed) : parsed;
    if ("claimCheck" in parsed) read.claimChecked++;
    read.eventIds.push(envelope.record.eventID ?? "(no eventID)");
  }
  return read;
}

async function receiveAll(
  sdk: Sdk,
  sqs: Sender,
  queueUrl: string,
  fifo: boolean,
  received: Message[],
): Promise<void> {
  for (;;) {
    const { Messages = [] } = (await sqs.send(
      new sdk.sqs.ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 300,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["MessageGroupId"],
      }),
    )) as { Messages?: Message[] };
    if (Messages.length === 0) return;
    received.push(...Messages);
    if (fifo) {
      await sqs.send(
        new sdk.sqs.DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
}

async function putBack(
  sdk: Sdk,
  sqs: Sender,
  queueUrl: string,
  fifo: boolean,
  received: Message[],
): Promise<void> {
  for (const batch of inBatches(received)) {
    const { Failed = [] } = (await sqs.send(
      fifo
        ? new sdk.sqs.SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((m, i) => ({
              Id: `m${i}`,
              MessageBody: m.Body,
              MessageAttributes: m.MessageAttributes,
              MessageGroupId: m.Attributes?.MessageGroupId,
              MessageDeduplicationId: `restored-${m.MessageId}`,
            })),
          })
        : new sdk.sqs.ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((m, i) => ({
              Id: `m${i}`,
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
    )) as { Failed?: { Id: string; Message?: string }[] };
    if (Failed.length > 0) {
      throw new Error(`Could not put dead letters back on ${queueUrl}: ${JSON.stringify(Failed)}`);
    }
  }
}

/** Messages left in the queue, visible or not. */
export async function queueDepth(sdk: Sdk, sqs: Sender, queueUrl: string): Promise<number> {
  const { Attributes = {} } = (await sqs.send(
    new sdk.sqs.GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  )) as { Attributes?: Record<string, string> };
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
