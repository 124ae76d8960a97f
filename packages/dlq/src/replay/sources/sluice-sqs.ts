import type { S3Client } from "@aws-sdk/client-s3";
import { claim, discard } from "../../claim-check.js";
import { unwrapDelivery } from "../../delivery.js";
import { type Envelope, parseDeadLetterMessage } from "../../envelope.js";
import type { ReplayRecord, ReplaySource } from "../types.js";
import { type SqsSourceOptions, sqsMessageSource } from "./sqs-messages.js";

export interface SluiceSqsSourceOptions extends SqsSourceOptions {
  /** Reads claim-checked envelopes; needed when the router had a claimCheck bucket. */
  s3?: S3Client;
}

/**
 * A sluice DLQ on SQS: one envelope (or claim-check pointer) per message, sent by the SQS router
 * or carried from the EventBridge router's `RecordFailed` events or an SNS topic.
 */
export function sluiceSqsSource(options: SluiceSqsSourceOptions): ReplaySource {
  return sqsMessageSource(
    `sluice DLQ ${options.queueUrl}`,
    options,
    async (message) => {
      const parsed = parseDeadLetterMessage(unwrapDelivery(message.Body ?? ""));
      if (!("claimCheck" in parsed)) return [fromEnvelope(parsed)];
      if (!options.s3) {
        throw new Error(
          `Message ${message.MessageId} points to s3://${parsed.claimCheck.bucket}/${parsed.claimCheck.key}; give the source an S3 client to read it.`,
        );
      }
      return [fromEnvelope(await claim(options.s3, parsed))];
    },
    async (message) => {
      const parsed = parseDeadLetterMessage(unwrapDelivery(message.Body ?? ""));
      // The stored envelope goes only after its message, so a pointer never dangles.
      if ("claimCheck" in parsed && options.s3) await discard(options.s3, parsed);
    },
    // A standard queue may hold a letter twice (a resend after a lost response); both copies
    // carry the envelope id, so the second is recognised before its payload is fetched.
    (message) => {
      try {
        return [parseDeadLetterMessage(unwrapDelivery(message.Body ?? "")).id];
      } catch {
        return undefined;
      }
    },
  );
}

export function fromEnvelope(envelope: Envelope): ReplayRecord {
  const meta: ReplayRecord["meta"] = {
    processor: envelope.processor,
    failedAt: new Date(envelope.lastFailureAt),
  };
  if (envelope.error.code !== undefined) meta.errorCode = envelope.error.code;
  return { id: envelope.id, record: envelope.record, meta, envelope };
}
