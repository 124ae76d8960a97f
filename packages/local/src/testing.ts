import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  type AttributeDefinition,
  CreateTableCommand,
  type KeySchemaElement,
  type ScalarAttributeType,
  type StreamViewType,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { inject } from "vitest";
import {
  createLocalClients,
  guardEndpoints,
  type LocalClients,
  type LocalCredentials,
  type LocalEndpoints,
  type LocalStackConfig,
} from "./clients.js";
import { PROVIDE_KEY } from "./vitest-context.js";

export type KeyAttribute = string | { name: string; type: ScalarAttributeType };

export interface CreateTableOptions {
  /** Stream view type; no stream when absent. */
  stream?: StreamViewType;
  /** Attribute that TTL reads (epoch seconds). */
  ttlAttribute?: string;
  /** Key schema; string names are of type S. Default PK and SK. `sortKey: null` for none. */
  keys?: { partitionKey?: KeyAttribute; sortKey?: KeyAttribute | null };
}

export interface TestTable {
  tableName: string;
  tableArn: string;
  /** Present when the table has a stream. */
  streamArn?: string;
}

export interface TestQueue {
  queueName: string;
  queueUrl: string;
  queueArn: string;
}

export interface LocalTestStack {
  region: string;
  credentials: LocalCredentials;
  endpoints: LocalEndpoints;
  clients: LocalClients;
  /** The plain config, e.g. for code under test that builds its own clients. */
  config: LocalStackConfig;
  /** A name no other call in this run returns: prefix, worker pid, counter, random suffix. */
  uniqueName(prefix?: string): string;
  createTable(options?: CreateTableOptions): Promise<TestTable>;
  createQueue(options?: {
    fifo?: boolean;
    attributes?: Record<string, string>;
  }): Promise<TestQueue>;
  createBucket(): Promise<{ bucketName: string }>;
  /** Long-polls the queue until at least `count` messages arrived (deleting none), or throws. */
  receiveMessages(
    queueUrl: string,
    count: number,
    options?: { timeoutMs?: number },
  ): Promise<Message[]>;
}

let counter = 0;
let cached: LocalTestStack | undefined;

function uniqueName(prefix = "t"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString("hex")}`;
}

function keyAttribute(key: KeyAttribute): { name: string; type: ScalarAttributeType } {
  return typeof key === "string" ? { name: key, type: "S" } : key;
}

function readProvided(): LocalStackConfig {
  const provided = inject(PROVIDE_KEY);
  if (provided === undefined) {
    throw new Error(
      "No local stack was provided: add the @sluice/local global setup " +
        "(packages/local/src/vitest-setup.ts) to test.globalSetup in vitest.config.ts.",
    );
  }
  if ("error" in provided) throw new Error(`The local stack did not start: ${provided.error}`);
  return provided.config;
}

/** The stack that the vitest global setup started for this run, with helpers for fresh resources. */
export function useLocalStack(): LocalTestStack {
  if (cached) return cached;
  const config = readProvided();
  const clients = createLocalClients(config);

  const createTable = async (options: CreateTableOptions = {}): Promise<TestTable> => {
    const tableName = uniqueName("table");
    const partitionKey = keyAttribute(options.keys?.partitionKey ?? "PK");
    const sortKey =
      options.keys?.sortKey === null ? undefined : keyAttribute(options.keys?.sortKey ?? "SK");
    const keys = sortKey ? [partitionKey, sortKey] : [partitionKey];
    const KeySchema: KeySchemaElement[] = keys.map((key, index) => ({
      AttributeName: key.name,
      KeyType: index === 0 ? "HASH" : "RANGE",
    }));
    const AttributeDefinitions: AttributeDefinition[] = keys.map((key) => ({
      AttributeName: key.name,
      AttributeType: key.type,
    }));
    const created = await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema,
        AttributeDefinitions,
        BillingMode: "PAY_PER_REQUEST",
        ...(options.stream && {
          StreamSpecification: { StreamEnabled: true, StreamViewType: options.stream },
        }),
      }),
    );
    if (options.ttlAttribute) {
      await clients.dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: options.ttlAttribute },
        }),
      );
    }
    const description = created.TableDescription;
    return {
      tableName,
      tableArn: description?.TableArn ?? "",
      ...(description?.LatestStreamArn && { streamArn: description.LatestStreamArn }),
    };
  };

  const createQueue = async (
    options: { fifo?: boolean; attributes?: Record<string, string> } = {},
  ): Promise<TestQueue> => {
    const queueName = `${uniqueName("queue")}${options.fifo ? ".fifo" : ""}`;
    const attributes = { ...options.attributes, ...(options.fifo && { FifoQueue: "true" }) };
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    return { queueName, queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  };

  const createBucket = async () => {
    const bucketName = uniqueName("bucket").toLowerCase();
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucketName }));
    return { bucketName };
  };

  const receiveMessages = async (
    queueUrl: string,
    count: number,
    options: { timeoutMs?: number } = {},
  ) => {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    const messages: Message[] = [];
    while (messages.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`Expected ${count} messages on ${queueUrl}, received ${messages.length}.`);
      }
      const { Messages } = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, count - messages.length),
          WaitTimeSeconds: 1,
          VisibilityTimeout: 300,
          MessageAttributeNames: ["All"],
          MessageSystemAttributeNames: ["All"],
        }),
      );
      messages.push(...(Messages ?? []));
    }
    return messages;
  };

  cached = {
    region: config.region,
    credentials: config.credentials,
    endpoints: guardEndpoints(config),
    clients,
    config,
    uniqueName,
    createTable,
    createQueue,
    createBucket,
    receiveMessages,
  };
  return cached;
}

/**
 * Pids of the DynamoDB Local Java process serving `port` (not the watchdog shell around it), to
 * check in a test that a stack really stopped.
 */
export function dynamoDbLocalPids(port: string | number): string[] {
  try {
    const found = execFileSync("pgrep", ["-f", `^java .*DynamoDBLocal.jar.*-port ${port}$`], {
      encoding: "utf8",
    });
    return found.trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * How long to wait for DynamoDB Local's TTL deletions: usually about a second, but a busy run
 * (many tables, a loaded machine) can take much longer.
 */
export const ttlSweepTimeoutMs = 90_000;

/** Resolves when `check` holds, polling briefly; throws with `what` if it never does. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
