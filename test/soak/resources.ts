import { randomBytes } from "node:crypto";
import type { LocalClients } from "@sluice/local";
import { effectsTableInput } from "./effect.ts";
import { type Packages, sender } from "./packages.ts";
import type { RunResources } from "./soak-handler.ts";

/** Dead letters above this size go to the S3 claim check; the workload's padded poison does. */
const DLQ_MAX_MESSAGE_BYTES = 8_192;

/** Fresh tables, queue and bucket for one run, so runs sharing a stack never meet. */
export async function createResources(
  { runtime, sdk }: Packages,
  clients: LocalClients,
  prefix: string,
  options: { fifo: boolean },
): Promise<RunResources> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  const dynamodb = sender(clients.dynamodb);
  const { TableDescription } = (await dynamodb.send(
    new sdk.dynamodb.CreateTableCommand({
      TableName: `${name}-source`,
      AttributeDefinitions: [
        { AttributeName: "PK", AttributeType: "S" },
        { AttributeName: "SK", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "PK", KeyType: "HASH" },
        { AttributeName: "SK", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  )) as { TableDescription: { TableName: string; LatestStreamArn: string } };
  const checkpointTable = `${name}-checkpoints`;
  const effectsTable = `${name}-effects`;
  await dynamodb.send(
    new sdk.dynamodb.CreateTableCommand(runtime.checkpointTableInput(checkpointTable)),
  );
  await dynamodb.send(new sdk.dynamodb.CreateTableCommand(effectsTableInput(effectsTable)));
  const { QueueUrl } = (await sender(clients.sqs).send(
    new sdk.sqs.CreateQueueCommand({
      QueueName: `${name}-dlq${options.fifo ? ".fifo" : ""}`,
      Attributes: {
        MaximumMessageSize: String(DLQ_MAX_MESSAGE_BYTES),
        ...(options.fifo && { FifoQueue: "true" }),
      },
    }),
  )) as { QueueUrl: string };
  const bucket = `${name}-claims`.toLowerCase();
  await sender(clients.s3).send(new sdk.s3.CreateBucketCommand({ Bucket: bucket }));
  return {
    pipeline: "soak",
    tableName: TableDescription.TableName,
    streamArn: TableDescription.LatestStreamArn,
    checkpointTable,
    effectsTable,
    queueUrl: QueueUrl,
    bucket,
  };
}

/**
 * Drops the run's tables once it is checked: DynamoDB Local keeps every table and stream in
 * memory, and a long soak would otherwise slow down setting after setting.
 */
export async function deleteTables({ sdk }: Packages, clients: LocalClients, run: RunResources) {
  const dynamodb = sender(clients.dynamodb);
  for (const TableName of [run.tableName, run.checkpointTable, run.effectsTable]) {
    await dynamodb.send(new sdk.dynamodb.DeleteTableCommand({ TableName }));
  }
}
