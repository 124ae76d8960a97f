import { sqs } from "@pulumi/aws";
import type { CustomResourceOptions } from "@pulumi/pulumi";
import type { StageSettings } from "./stage.js";

/** SQS's maximum: dead letters wait two weeks for someone to replay them. */
export const deadLetterRetentionSeconds = 14 * 24 * 60 * 60;

/**
 * The pipeline's dead-letter queue: Lambda's on-failure destination (batch metadata) and the target
 * of sluice's dead-letter router (the records). A standard queue: Lambda refuses FIFO destinations.
 */
export function deadLetterQueue(
  name: string,
  stage: StageSettings,
  opts: CustomResourceOptions,
): sqs.Queue {
  return new sqs.Queue(
    name,
    {
      messageRetentionSeconds: deadLetterRetentionSeconds,
      sqsManagedSseEnabled: true,
      // Long enough for a replay to fetch the records a message points to before it reappears.
      visibilityTimeoutSeconds: 300,
    },
    { ...opts, retainOnDelete: stage.retain },
  );
}
