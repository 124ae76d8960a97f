import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBStreamRecord } from "@sluice/records";
import { toLambdaRecordJson } from "../src/record-json.js";

/** Every record of the stream's shards, in Lambda's form, read from the oldest. */
export async function readWholeStream(
  streams: DynamoDBStreamsClient,
  streamArn: string,
): Promise<{ shardId: string; records: DynamoDBStreamRecord[] }[]> {
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards = [];
  for (const shard of described.StreamDescription?.Shards ?? []) {
    const records: DynamoDBStreamRecord[] = [];
    let { ShardIterator: iterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const got = page.Records ?? [];
      if (got.length === 0) break;
      for (const record of got) {
        records.push({
          ...toLambdaRecordJson(record as DynamoDBStreamRecord),
          eventSourceARN: streamArn,
        });
      }
      iterator = page.NextShardIterator;
    }
    shards.push({ shardId: shard.ShardId!, records });
  }
  return shards;
}

export function lambdaContext() {
  return {
    functionName: "orders-stream",
    awsRequestId: "test-request",
    getRemainingTimeInMillis: () => 60_000,
  };
}

/** Messages in the queue, visible or not. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
