import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";

const local = useLocalStack();

describe("useLocalStack", () => {
  it("creates a table with a stream and TTL under a fresh name", async () => {
    const first = await local.createTable({
      stream: "NEW_AND_OLD_IMAGES",
      ttlAttribute: "expiresAt",
    });
    const second = await local.createTable();
    expect(first.tableName).not.toBe(second.tableName);
    expect(first.streamArn).toMatch(/^arn:aws:dynamodb:.*:table\/.*\/stream\//);
    expect(second.streamArn).toBeUndefined();
    const { Table } = await local.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: first.tableName }),
    );
    expect(Table?.StreamSpecification?.StreamViewType).toBe("NEW_AND_OLD_IMAGES");
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
    ]);
    const ttl = await local.clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: first.tableName }),
    );
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe("expiresAt");
  });

  it("creates a table with custom keys", async () => {
    const table = await local.createTable({
      keys: { partitionKey: { name: "id", type: "N" }, sortKey: null },
    });
    const { Table } = await local.clients.dynamodb.send(
      new DescribeTableCommand({ TableName: table.tableName }),
    );
    expect(Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "N" }]);
  });

  it("creates queues that receive messages", async () => {
    const queue = await local.createQueue();
    expect(queue.queueArn).toMatch(new RegExp(`:${queue.queueName}$`));
    await local.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: "x" }),
    );
    const [message] = await local.receiveMessages(queue.queueUrl, 1);
    expect(message?.Body).toBe("x");
  });

  it("creates FIFO queues", async () => {
    const queue = await local.createQueue({ fifo: true });
    expect(queue.queueName).toMatch(/\.fifo$/);
  });

  it("creates buckets", async () => {
    const { bucketName } = await local.createBucket();
    await expect(
      local.clients.s3.send(new HeadBucketCommand({ Bucket: bucketName })),
    ).resolves.toBeDefined();
  });
});
