import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import {
  embeddedSearchUrl,
  type PipelineDefinition,
  pipelineEnvironment,
  type ResourceNeed,
  resourceEnvironment,
} from "@sluice/pipeline";
import { aggregateTableInput } from "@sluice/processors";
import { checkpointTableInput, checkpointTableTtlInput } from "@sluice/runtime";
import type { SessionStack } from "./session.js";

export interface LocalQueue {
  queueUrl: string;
  queueArn: string;
}

/** What `sluice dev` created for a pipeline, and the variables that point handlers at it. */
export interface LocalResources {
  tableName: string;
  streamArn: string;
  /** By need; the search domain is `embedded:<name>`. */
  names: Partial<Record<ResourceNeed, string>>;
  /** The dead-letter queue, when a subscriber dead-letters to the queue. */
  deadLetterQueue?: LocalQueue;
  /** Receives every event put on the event bus, so the demo and the console can show them. */
  eventsQueue?: LocalQueue;
  /** The variables a handler reads: resources, the pipeline's name, AWS endpoints and region. */
  environment: Record<string, string>;
}

async function createQueue(stack: SessionStack, name: string): Promise<LocalQueue> {
  const { QueueUrl } = await stack.clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await stack.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
  );
  // fauxqs answers with sqs.<region>.localhost URLs; a client that takes its endpoint from
  // AWS_ENDPOINT_URL_SQS sends to the queue URL's host, which must then be the endpoint itself.
  const queueUrl = new URL(new URL(QueueUrl!).pathname, stack.endpoints.sqs).href;
  return { queueUrl, queueArn: Attributes!.QueueArn! };
}

async function createTable(
  dynamodb: DynamoDBClient,
  pipeline: PipelineDefinition,
  tableName: string,
): Promise<string> {
  const { partitionKey, sortKey, stream, ttlAttribute } = pipeline.table;
  const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
  const type = { string: "S", number: "N", binary: "B" } as const;
  const created = await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: keys.map((key, index) => ({
        AttributeName: key.name,
        KeyType: index === 0 ? "HASH" : "RANGE",
      })),
      AttributeDefinitions: keys.map((key) => ({
        AttributeName: key.name,
        AttributeType: type[key.type],
      })),
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: stream },
    }),
  );
  if (ttlAttribute) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute },
      }),
    );
  }
  return created.TableDescription!.LatestStreamArn!;
}

/** The standard variables that point AWS SDK clients made with no options at the local stack. */
export function awsEnvironment(stack: SessionStack): Record<string, string> {
  const { endpoints } = stack.config;
  return {
    AWS_REGION: stack.region,
    AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
    ...(endpoints.dynamodb && {
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
    }),
    ...(endpoints.s3 && { AWS_ENDPOINT_URL_S3: endpoints.s3 }),
    ...(endpoints.sqs && { AWS_ENDPOINT_URL_SQS: endpoints.sqs }),
    ...(endpoints.sns && { AWS_ENDPOINT_URL_SNS: endpoints.sns }),
    ...(endpoints.eventbridge && { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge }),
  };
}

/**
 * Creates, on the local stack, the table with its stream and TTL and every resource a subscriber
 * needs, as infra would deploy them for a stage. Names start with `prefix`, so several sessions
 * can share one stack.
 */
export async function createLocalResources(
  stack: SessionStack,
  pipeline: PipelineDefinition,
  prefix = "",
): Promise<LocalResources> {
  const { dynamodb, eventbridge, s3 } = stack.clients;
  const subscribers = Object.values(pipeline.subscribers);
  const needed = new Set(subscribers.flatMap((subscriber) => subscriber.needs));
  const local = (suffix: string) => `${prefix}${pipeline.name}-${suffix}`;
  const tableName = `${prefix}${pipeline.table.name}`;
  const streamArn = await createTable(dynamodb, pipeline, tableName);
  const names: LocalResources["names"] = {};
  let eventsQueue: LocalQueue | undefined;

  if (needed.has("checkpoints")) {
    names.checkpoints = local("checkpoints");
    await dynamodb.send(new CreateTableCommand(checkpointTableInput(names.checkpoints)));
    await dynamodb.send(new UpdateTimeToLiveCommand(checkpointTableTtlInput(names.checkpoints)));
  }
  if (needed.has("aggregatesTable")) {
    names.aggregatesTable = local("aggregates");
    await dynamodb.send(new CreateTableCommand(aggregateTableInput(names.aggregatesTable)));
  }
  if (needed.has("archiveBucket")) {
    names.archiveBucket = local("archive").toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: names.archiveBucket }));
  }
  if (needed.has("searchDomain")) names.searchDomain = embeddedSearchUrl(local("search"));
  if (needed.has("eventBus")) {
    names.eventBus = local("events");
    await eventbridge.send(new CreateEventBusCommand({ Name: names.eventBus }));
    eventsQueue = await createQueue(stack, local("events-consumer"));
    await eventbridge.send(
      new PutRuleCommand({
        Name: "everything",
        EventBusName: names.eventBus,
        EventPattern: JSON.stringify({ source: [{ prefix: "" }] }),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: "everything",
        EventBusName: names.eventBus,
        Targets: [{ Id: "consumer", Arn: eventsQueue.queueArn }],
      }),
    );
  }
  const deadLetterQueue = subscribers.some((subscriber) => subscriber.deadLetter === "queue")
    ? await createQueue(stack, local("dead-letters"))
    : undefined;

  const environment: Record<string, string> = {
    ...awsEnvironment(stack),
    [pipelineEnvironment.pipeline]: pipeline.name,
    ...(deadLetterQueue && { [pipelineEnvironment.deadLetterQueueUrl]: deadLetterQueue.queueUrl }),
  };
  for (const [need, name] of Object.entries(names)) {
    environment[resourceEnvironment[need as ResourceNeed]] = name;
  }
  return {
    tableName,
    streamArn,
    names,
    ...(deadLetterQueue && { deadLetterQueue }),
    ...(eventsQueue && { eventsQueue }),
    environment,
  };
}
