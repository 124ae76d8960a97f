import { type Input, interpolate } from "@pulumi/pulumi";
import {
  pipelineEnvironment,
  resourceEnvironment,
  type Subscriber,
  searchCredentialsEnvironment,
} from "@sluice/pipeline";
import type { PolicyStatement } from "./policy.js";
import type { NamedResource, PipelineResources } from "./resources.js";

export interface SubscriberContext {
  pipeline: string;
  streamArn: Input<string>;
  logGroupArn: Input<string>;
  deadLetterQueue?: { arn: Input<string>; url: Input<string> };
  checkpointTable?: NamedResource;
  resources: PipelineResources;
}

export interface SubscriberAccess {
  /** Least privilege: each action on the exact ARN it needs, nothing on "*". */
  statements: PolicyStatement[];
  /** How the handler finds what it may touch (names from @sluice/pipeline). */
  environment: Record<string, Input<string>>;
}

function missing(subscriber: Subscriber, need: string): never {
  throw new Error(
    `Subscriber "${subscriber.name}" needs ${need}: pass resources.${need} to StreamPipeline, or remove "${need}" from its needs.`,
  );
}

const outsideResources = ["archiveBucket", "searchDomain", "eventBus", "aggregatesTable"] as const;

/** Refuses a definition whose subscribers need resources that were not passed, before anything is created. */
export function checkNeeds(subscribers: Subscriber[], resources: PipelineResources): void {
  for (const subscriber of subscribers) {
    for (const need of outsideResources) {
      if (subscriber.needs.includes(need) && !resources[need]) missing(subscriber, need);
    }
  }
}

function created<T>(resource: T | undefined, what: string): T {
  if (resource === undefined)
    throw new Error(`StreamPipeline creates ${what} before its subscribers.`);
  return resource;
}

/** The IAM statements and environment of one subscriber's function. */
export function subscriberAccess(
  subscriber: Subscriber,
  context: SubscriberContext,
): SubscriberAccess {
  const statements: PolicyStatement[] = [
    {
      // What Lambda's event source mapping calls with the function's role.
      Sid: "ReadStream",
      Effect: "Allow",
      Action: [
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
      ],
      Resource: [context.streamArn],
    },
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [interpolate`${context.logGroupArn}:*`],
    },
  ];
  const environment: Record<string, Input<string>> = {
    ...subscriber.environment,
    [pipelineEnvironment.pipeline]: context.pipeline,
    [pipelineEnvironment.subscriber]: subscriber.name,
  };

  if (subscriber.deadLetter === "queue") {
    const queue = created(context.deadLetterQueue, "the dead-letter queue");
    // Lambda's on-failure destination and sluice's dead-letter router both send with this role.
    statements.push({
      Sid: "SendDeadLetters",
      Effect: "Allow",
      Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
      Resource: [queue.arn],
    });
    environment[pipelineEnvironment.deadLetterQueueUrl] = queue.url;
  }

  for (const need of subscriber.needs) {
    switch (need) {
      case "checkpoints": {
        const table = created(context.checkpointTable, "the checkpoint table");
        // TransactWriteItems is authorized per action: the watermarks are Update actions.
        statements.push({
          Sid: "Checkpoints",
          Effect: "Allow",
          Action: ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
          Resource: [table.arn],
        });
        environment[resourceEnvironment.checkpoints] = table.name;
        break;
      }
      case "archiveBucket": {
        const bucket = context.resources.archiveBucket ?? missing(subscriber, need);
        // Objects only: large batches go up in parts, and a failed upload aborts its parts.
        statements.push({
          Sid: "ArchiveObjects",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
          Resource: [interpolate`${bucket.arn}/*`],
        });
        environment[resourceEnvironment.archiveBucket] = bucket.name;
        break;
      }
      case "searchDomain": {
        const domain = context.resources.searchDomain ?? missing(subscriber, need);
        // Requests sign in as the master user (fine-grained access control knows it, not the
        // role), so the role needs the secret only; the domain's own policy admits the requests.
        statements.push({
          Sid: "SearchCredentials",
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [domain.credentialsSecretArn],
        });
        environment[resourceEnvironment.searchDomain] = domain.url;
        environment[searchCredentialsEnvironment] = domain.credentialsSecretArn;
        break;
      }
      case "eventBus": {
        const bus = context.resources.eventBus ?? missing(subscriber, need);
        statements.push({
          Sid: "PublishEvents",
          Effect: "Allow",
          Action: ["events:PutEvents"],
          Resource: [bus.arn],
        });
        environment[resourceEnvironment.eventBus] = bus.name;
        break;
      }
      case "aggregatesTable": {
        const table = context.resources.aggregatesTable ?? missing(subscriber, need);
        // The aggregate processor only ADDs, in Update actions of the checkpoints' transaction
        // (authorized per action). Readers of the aggregates run elsewhere, under their own role.
        statements.push({
          Sid: "Aggregates",
          Effect: "Allow",
          Action: ["dynamodb:UpdateItem"],
          Resource: [table.arn],
        });
        environment[resourceEnvironment.aggregatesTable] = table.name;
        break;
      }
    }
  }
  return { statements, environment };
}
