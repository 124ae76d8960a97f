import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { FailureDestinationPayload } from "@sluice/records";
import type { StreamItem } from "./lambda-event.js";
import type { Discard } from "./retry.js";
import type { MappingClients, MappingEvent } from "./types.js";

/** DynamoDB reports arrival times to the second. */
function toSecondsIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export interface FailureContext {
  requestId: string;
  functionArn: string;
  streamArn: string;
  shardId: string;
  nowMs: number;
  /** Set when the last invocation threw or timed out. */
  functionError?: "Unhandled";
}

/** The invocation record Lambda sends to an on-failure destination for a DynamoDB stream. */
export function buildFailureRecord(
  discard: Discard,
  context: FailureContext,
): FailureDestinationPayload {
  const first = discard.items[0] as StreamItem;
  const last = discard.items[discard.items.length - 1] as StreamItem;
  const responseContext: NonNullable<FailureDestinationPayload["responseContext"]> = {
    statusCode: 200,
    executedVersion: "$LATEST",
  };
  if (context.functionError) responseContext.functionError = context.functionError;
  return {
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: discard.condition,
      approximateInvokeCount: discard.invocations,
    },
    responseContext,
    version: "1.0",
    timestamp: new Date(context.nowMs).toISOString(),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: toSecondsIso(first.createdAtMs),
      approximateArrivalOfLastRecord: toSecondsIso(last.createdAtMs),
      batchSize: discard.items.length,
      streamArn: context.streamArn,
    },
  };
}

/**
 * Key of the object Lambda writes to an S3 destination:
 * aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>
 */
export function s3FailureKey(mappingUuid: string, shardId: string, nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 19).replaceAll(":", ".");
  return `aws/lambda/${mappingUuid}/${shardId}/${day.replaceAll("-", "/")}/${day}T${time}-${randomUUID()}`;
}

export interface DestinationTarget {
  service: "sqs" | "sns" | "s3";
  arn: string;
  /** Queue name, topic ARN or bucket name. */
  name: string;
  account: string;
}

export function parseDestination(arn: string): DestinationTarget {
  const [, , service, , account = "", ...rest] = arn.split(":");
  const resource = rest.join(":");
  if (service === "s3") return { service, arn, name: resource, account };
  if (service === "sqs") return { service, arn, name: resource, account };
  if (service === "sns") return { service, arn, name: arn, account };
  throw new TypeError(`${arn} is not the ARN of an SQS queue, SNS topic or S3 bucket.`);
}

export class DestinationSender {
  private queueUrl?: Promise<string>;

  constructor(
    private readonly target: DestinationTarget,
    private readonly clients: MappingClients,
    private readonly mappingUuid: string,
  ) {
    const client = clients[target.service];
    if (!client) {
      throw new TypeError(
        `DestinationConfig.OnFailure is ${target.arn}; pass clients.${target.service} to deliver to it.`,
      );
    }
  }

  /** Sends the record; S3 also receives the whole invocation event. Returns where it went. */
  async send(
    record: FailureDestinationPayload,
    event: MappingEvent,
    nowMs: number,
  ): Promise<string> {
    const body = JSON.stringify(record);
    switch (this.target.service) {
      case "sqs": {
        const sqs = this.clients.sqs!;
        this.queueUrl ??= sqs
          .send(new GetQueueUrlCommand({ QueueName: this.target.name }))
          .then((out) => out.QueueUrl as string);
        const QueueUrl = await this.queueUrl.catch((error: unknown) => {
          this.queueUrl = undefined;
          throw error;
        });
        const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
        return `${QueueUrl}#${out.MessageId}`;
      }
      case "sns": {
        const out = await this.clients.sns!.send(
          new PublishCommand({ TopicArn: this.target.name, Message: body }),
        );
        return `${this.target.name}#${out.MessageId}`;
      }
      case "s3": {
        const key = s3FailureKey(this.mappingUuid, record.DDBStreamBatchInfo.shardId, nowMs);
        const withPayload: FailureDestinationPayload = {
          ...record,
          payload: JSON.stringify(event),
        };
        await this.clients.s3!.send(
          new PutObjectCommand({
            Bucket: this.target.name,
            Key: key,
            Body: JSON.stringify(withPayload),
            ContentType: "application/json",
          }),
        );
        return `s3://${this.target.name}/${key}`;
      }
    }
  }
}
