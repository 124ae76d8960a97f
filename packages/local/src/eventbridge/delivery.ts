import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { EventEnvelope } from "./put-events.js";
import type { Target } from "./store.js";

export interface DeliveryFailure {
  ruleArn: string;
  targetId: string;
  eventId: string;
  error: string;
}

const SQS_ARN = /^arn:aws:sqs:[^:]+:(\d{12}):(.+)$/;

export function isSqsArn(arn: string): boolean {
  return SQS_ARN.test(arn);
}

/** `$.a.b` paths, the subset of JSONPath that InputPath examples use. */
function select(envelope: EventEnvelope, path: string): unknown {
  if (path === "$") return envelope;
  if (!path.startsWith("$."))
    throw new Error(`InputPath ${path} is not supported; use $.field.field`);
  let value: unknown = envelope;
  for (const key of path.slice(2).split(".")) {
    value =
      typeof value === "object" && value !== null
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return value;
}

/** What a target receives: the envelope, its constant Input, or the part InputPath selects. */
export function targetBody(target: Target, envelope: EventEnvelope): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined)
    return JSON.stringify(select(envelope, target.InputPath) ?? null);
  return JSON.stringify(envelope);
}

/** Sends events to SQS queue targets on the local SQS server. */
export class SqsDelivery {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly sqs: SQSClient;

  constructor(sqs: SQSClient) {
    this.sqs = sqs;
  }

  private queueUrl(arn: string): Promise<string> {
    let url = this.urls.get(arn);
    if (!url) {
      const [, owner, name] = SQS_ARN.exec(arn)!;
      url = this.sqs
        .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: owner }))
        .then((output) => output.QueueUrl!);
      // A failed lookup is retried next time: the queue may be created later.
      url.catch(() => this.urls.delete(arn));
      this.urls.set(arn, url);
    }
    return url;
  }

  async deliver(target: Target, envelope: EventEnvelope): Promise<void> {
    const fifo = target.Arn.endsWith(".fifo");
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: await this.queueUrl(target.Arn),
        MessageBody: targetBody(target, envelope),
        ...(fifo && {
          MessageGroupId: target.SqsParameters?.MessageGroupId ?? envelope.source,
          MessageDeduplicationId: envelope.id,
        }),
      }),
    );
  }
}
