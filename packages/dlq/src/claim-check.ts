import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type ClaimCheckPointer, type Envelope, parseEnvelope } from "./envelope.js";
import { DeadLetterDeliveryError, EnvelopeError } from "./errors.js";

/** Where envelopes too big for a message go; the message then carries a pointer. */
export interface ClaimCheckOptions {
  s3: S3Client;
  bucket: string;
  /** Default `sluice-claim-check/`, outside the S3 router's `sluice-dlq/` so replay never reads it as a dead letter. */
  prefix?: string;
}

/**
 * Stores the envelope in S3 and returns the pointer to send instead. The key derives from the
 * envelope id, so a resend overwrites the same object.
 */
export async function checkIn(
  options: ClaimCheckOptions,
  envelope: Envelope,
  body: string,
): Promise<ClaimCheckPointer> {
  const prefix = options.prefix ?? "sluice-claim-check/";
  const key = `${prefix}${envelope.pipeline}/${envelope.processor}/${envelope.id}.json`;
  try {
    await options.s3.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: key,
        Body: body,
        ContentType: "application/json",
      }),
    );
  } catch (cause) {
    const code = cause instanceof Error ? cause.name : "Error";
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new DeadLetterDeliveryError(
      `S3 bucket ${options.bucket} (claim check)`,
      [{ id: envelope.id, code, message }],
      { cause },
    );
  }
  const pointer: ClaimCheckPointer = {
    v: 1,
    id: envelope.id,
    pipeline: envelope.pipeline,
    processor: envelope.processor,
    claimCheck: { bucket: options.bucket, key, bytes: Buffer.byteLength(body) },
  };
  if (envelope.error.code !== undefined) pointer.errorCode = envelope.error.code;
  return pointer;
}

/** Fetches the envelope a pointer names. A missing object is a MISSING_PAYLOAD EnvelopeError. */
export async function claim(s3: S3Client, pointer: ClaimCheckPointer): Promise<Envelope> {
  const { bucket, key } = pointer.claimCheck;
  let text: string;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await object.Body?.transformToString("utf-8")) ?? "";
  } catch (cause) {
    if (isNotFound(cause)) {
      throw new EnvelopeError(
        "MISSING_PAYLOAD",
        `Envelope ${pointer.id} points to s3://${bucket}/${key}, which does not exist; it may have been deleted by a lifecycle rule. The message is left in place.`,
        { cause },
      );
    }
    throw cause;
  }
  const envelope = parseEnvelope(text);
  if (envelope.id !== pointer.id) {
    throw new EnvelopeError(
      "INVALID_ENVELOPE",
      `s3://${bucket}/${key} holds envelope ${envelope.id}, but the pointer names ${pointer.id}.`,
    );
  }
  return envelope;
}

/** Removes the stored envelope once its record has been replayed. */
export async function discard(s3: S3Client, pointer: ClaimCheckPointer): Promise<void> {
  await s3.send(
    new DeleteObjectCommand({ Bucket: pointer.claimCheck.bucket, Key: pointer.claimCheck.key }),
  );
}

export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === "NoSuchKey" || error.name === "NotFound" || status === 404;
}
