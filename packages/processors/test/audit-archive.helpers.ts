import { gunzipSync } from "node:zlib";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import type { LocalStackConfig } from "@sluice/local";
import type { LocalTestStack } from "@sluice/local/testing";
import {
  type BatchProcessor,
  checkpointTableInput,
  DynamoDBCheckpointStore,
  type LambdaContext,
  streamHandler,
} from "@sluice/runtime";

/** Where an injected fault strikes: before the request is sent, or after S3 answered. */
export type Fault = "before" | "after" | undefined;

/**
 * An S3 client for the local stack that counts calls per command and injects faults. The faults
 * sit above the SDK's retries, as a lost connection that exhausted them would: "after" is a
 * response lost on the way back, when S3 has stored the object.
 */
export function faultyS3(
  config: LocalStackConfig,
  plan: (command: string, call: number, input: Record<string, unknown>) => Fault = () => undefined,
): {
  s3: S3Client;
  calls: Map<string, number>;
  /** Each call's command and input, in order. */
  requests: { command: string; input: Record<string, unknown> }[];
  injected: string[];
} {
  const s3 = new S3Client({
    region: config.region,
    credentials: config.credentials,
    endpoint: config.endpoints.s3!,
    forcePathStyle: true,
  });
  const calls = new Map<string, number>();
  const requests: { command: string; input: Record<string, unknown> }[] = [];
  const injected: string[] = [];
  const lost = () => Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName?.replace(/Command$/, "") ?? "unknown";
      const call = (calls.get(command) ?? 0) + 1;
      calls.set(command, call);
      const input = (args as { input: Record<string, unknown> }).input;
      requests.push({ command, input });
      const fault = plan(command, call, input);
      if (fault === "before") {
        injected.push(`${command}#${call} before`);
        throw lost();
      }
      const output = await next(args);
      if (fault === "after") {
        injected.push(`${command}#${call} after`);
        throw lost();
      }
      return output;
    },
    { step: "initialize", name: "injectFaults" },
  );
  return { s3, calls, requests, injected };
}

export async function objectKeys(s3: S3Client, bucket: string, prefix = ""): Promise<string[]> {
  const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (Contents ?? []).map((object) => object.Key!).sort();
}

/** The lines of one archive object, parsed (numbers as JS numbers: for shape checks only). */
export async function objectLines(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, unknown>[]> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = gunzipSync(await got.Body!.transformToByteArray()).toString("utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * The handler the end-to-end tests run an archive processor in under the mapping: items in order,
 * checkpoints in a fresh table, and no retries inside an invocation, so every failure goes back
 * to the mapping for redelivery.
 */
export async function checkpointedHandler(stack: LocalTestStack, processor: BatchProcessor) {
  const tableName = stack.uniqueName("checkpoints");
  // No TTL on test tables: DynamoDB Local's TTL sweep slows down for every TTL table in the run.
  await stack.clients.dynamodb.send(new CreateTableCommand(checkpointTableInput(tableName)));
  return streamHandler({
    pipeline: "shop",
    ordering: "per-item",
    checkpoints: new DynamoDBCheckpointStore({ client: stack.clients.dynamodb, tableName }),
    retry: { maxAttempts: 1 },
    processors: [processor],
    metrics: false,
    logger: quiet,
  });
}

/** A fresh bus whose rule "expired" sends the events of `detailType` to a fresh queue. */
export async function busToQueue(stack: LocalTestStack, detailType = "ItemExpired") {
  const eventBusName = stack.uniqueName("bus");
  const { eventbridge } = stack.clients;
  await eventbridge.send(new CreateEventBusCommand({ Name: eventBusName }));
  const queue = await stack.createQueue();
  await eventbridge.send(
    new PutRuleCommand({
      Name: "expired",
      EventBusName: eventBusName,
      EventPattern: JSON.stringify({ "detail-type": [detailType] }),
    }),
  );
  await eventbridge.send(
    new PutTargetsCommand({
      Rule: "expired",
      EventBusName: eventBusName,
      Targets: [{ Id: "queue", Arn: queue.queueArn }],
    }),
  );
  return { eventBusName, queueUrl: queue.queueUrl };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export const lambdaContext = (): LambdaContext => ({
  getRemainingTimeInMillis: () => 60_000,
  awsRequestId: "test",
  functionName: "test",
});

/** Logs go nowhere: the tests assert outcomes, not log lines. */
export const quiet = { sink: () => {} };
