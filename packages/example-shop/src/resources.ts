import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { sqsDeadLetterRouter } from "@sluice/dlq";
import {
  embeddedSearchIndex,
  pipelineEnvironment,
  type ResourceNeed,
  resourceEnvironment,
  searchCredentialsEnvironment,
} from "@sluice/pipeline";
import { type SearchSink, sharedEmbeddedSink } from "@sluice/processors";
import { DynamoDBCheckpointStore } from "@sluice/runtime";
import { orderSearchSchema } from "./processors/order-search.js";
import { masterUserSink } from "./search-sink.js";
import type { Stores } from "./subscriber.js";

/** What each resource variable holds, for the error that asks for it. */
const holds: Record<ResourceNeed, string> = {
  checkpoints: "the checkpoint table's name",
  archiveBucket: "the archive bucket's name",
  searchDomain: "the search domain's URL",
  eventBus: "the event bus's name",
  aggregatesTable: "the aggregates table's name",
};

function required(name: string, setBy: string, what: string): string {
  const value = process.env[name];
  if (value) return value;
  throw new Error(
    `${name} is not set. ${setBy}; to run the handler anywhere else, set ${name} to ${what}.`,
  );
}

/** Where a resource the subscriber `needs` is, as infra tells its function. */
export function resource(need: ResourceNeed): string {
  return required(
    resourceEnvironment[need],
    `infra's StreamPipeline sets it on the function of every subscriber whose needs in src/pipeline.ts include "${need}"`,
    holds[need],
  );
}

/** Made on first use and kept for the container's life: a warm invocation reuses connections. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

/** The AWS clients of the function's own account and Region. */
export const clients = {
  dynamodb: once(() => new DynamoDBClient({})),
  eventBridge: once(() => new EventBridgeClient({})),
  s3: once(() => new S3Client({})),
  secretsManager: once(() => new SecretsManagerClient({})),
  sqs: once(() => new SQSClient({})),
};

/** The deployed checkpoint table and dead-letter queue. */
export const deployed: Stores = {
  checkpoints: () =>
    new DynamoDBCheckpointStore({
      client: clients.dynamodb(),
      tableName: resource("checkpoints"),
    }),
  deadLetters: () =>
    sqsDeadLetterRouter({
      sqs: clients.sqs(),
      queueUrl: required(
        pipelineEnvironment.deadLetterQueueUrl,
        `infra's StreamPipeline sets it on the function of every subscriber whose deadLetter is "queue" (the default)`,
        "the dead-letter queue's URL",
      ),
    }),
};

/** The search domain, signed in as the master user whose secret infra names. */
export function searchSink(): SearchSink {
  const node = resource("searchDomain");
  // `sluice dev` has no OpenSearch: it names an index in this process instead.
  const embedded = embeddedSearchIndex(node);
  if (embedded !== undefined) return sharedEmbeddedSink(embedded, { schema: orderSearchSchema });
  return masterUserSink({
    node,
    secretArn: required(
      searchCredentialsEnvironment,
      `infra's StreamPipeline sets it, with ${resourceEnvironment.searchDomain}, on the function of every subscriber that needs "searchDomain"`,
      'the ARN of the secret holding the domain\'s master user as {"username", "password"}',
    ),
    secrets: clients.secretsManager(),
  });
}
