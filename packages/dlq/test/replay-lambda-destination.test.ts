import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { useLocalStack } from "@sluice/local/testing";
import type { DynamoDBStreamRecord, FailureDestinationPayload } from "@sluice/records";
import { describe, expect, it } from "vitest";
import {
  handlerTarget,
  lambdaS3Source,
  lambdaSqsSource,
  parseEnvelope,
  queueTarget,
  type ReplayEvent,
  replay,
} from "../src/index.js";
import { queueDepth, readWholeStream } from "./stream-helpers.js";

const stack = useLocalStack();
const { dynamodb, streams, sqs, s3 } = stack.clients;

async function streamWithOrders(count: number) {
  const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
  for (let n = 1; n <= count; n++) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { PK: { S: `CUSTOMER#${n}` }, SK: { S: `ORDER#${n}` }, total: { N: String(n) } },
      }),
    );
  }
  const [shard] = await readWholeStream(streams, table.streamArn!);
  return { streamArn: table.streamArn!, shardId: shard!.shardId, records: shard!.records };
}

/** Lambda's documented invocation record for a batch of these records. */
function failureRecord(
  streamArn: string,
  shardId: string,
  batch: DynamoDBStreamRecord[],
): FailureDestinationPayload {
  const arrival = (r: DynamoDBStreamRecord) =>
    new Date(Number(r.dynamodb!.ApproximateCreationDateTime) * 1000)
      .toISOString()
      .replace(".000Z", "Z");
  return {
    requestContext: {
      requestId: "0b1c9b6e-4f1f-4d5e-9a39-7d3c2e4b5a61",
      functionArn: "arn:aws:lambda:us-east-1:000000000000:function:orders-stream",
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 3,
    },
    responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
    version: "1.0",
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: batch[0]!.dynamodb!.SequenceNumber!,
      endSequenceNumber: batch.at(-1)!.dynamodb!.SequenceNumber!,
      approximateArrivalOfFirstRecord: arrival(batch[0]!),
      approximateArrivalOfLastRecord: arrival(batch.at(-1)!),
      batchSize: batch.length,
      streamArn,
    },
  };
}

function recordingTarget() {
  const seen: string[] = [];
  const target = handlerTarget(async (event) => {
    seen.push(...event.Records.map((r) => r.eventID!));
    return { batchItemFailures: [] };
  });
  return { seen, target };
}

describe("replay from Lambda's failure destination", () => {
  // Lambda's message is written here from real sequence numbers of DynamoDB Local's stream.
  it("re-reads the range of an SQS metadata message and processes exactly those records", async () => {
    const { streamArn, shardId, records } = await streamWithOrders(10);
    const queue = await stack.createQueue();
    const batch = records.slice(3, 7);
    const message = failureRecord(streamArn, shardId, batch);
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }),
    );

    const { seen, target } = recordingTarget();
    const source = () =>
      lambdaSqsSource({ sqs, streams, queueUrl: queue.queueUrl, waitTimeSeconds: 1 });
    const summary = await replay({
      source: source(),
      target,
      filter: { processors: ["orders-stream"] },
    });
    expect(summary).toMatchObject({ messages: 1, replayed: 4, expired: 0 });
    expect(seen).toEqual(batch.map((r) => r.eventID));
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(0);
    expect(await replay({ source: source(), target })).toMatchObject({ messages: 0, replayed: 0 });
  });

  it("reports records that left the stream as expired and keeps the message", async () => {
    const { streamArn, shardId, records } = await streamWithOrders(2);
    const queue = await stack.createQueue();
    const message = failureRecord(streamArn, shardId, records);
    // A batch of five whose last two are no longer in the stream.
    message.DDBStreamBatchInfo.batchSize = 5;
    message.DDBStreamBatchInfo.endSequenceNumber = String(
      BigInt(message.DDBStreamBatchInfo.endSequenceNumber) + 500n,
    );
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: JSON.stringify(message) }),
    );

    const events: ReplayEvent[] = [];
    const { seen, target } = recordingTarget();
    const summary = await replay({
      source: lambdaSqsSource({ sqs, streams, queueUrl: queue.queueUrl, waitTimeSeconds: 1 }),
      target,
      onEvent: (e) => events.push(e),
    });
    expect(summary).toMatchObject({ messages: 1, replayed: 0, expired: 5 });
    expect(seen).toEqual([]);
    const expired = events.find((e) => e.type === "expired");
    expect(expired && "error" in expired && expired.error.message).toContain(shardId);
    expect(await queueDepth(sqs, queue.queueUrl)).toBe(1);
  });

  it("unwraps an SNS notification delivered to the queue", async () => {
    const { streamArn, shardId, records } = await streamWithOrders(3);
    const queue = await stack.createQueue();
    const notification = {
      Type: "Notification",
      MessageId: "6a1f7d8e-5b1c-4f2a-9e3d-1c2b3a4d5e6f",
      TopicArn: "arn:aws:sns:us-east-1:000000000000:stream-failures",
      Message: JSON.stringify(failureRecord(streamArn, shardId, records.slice(1))),
    };
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.queueUrl,
        MessageBody: JSON.stringify(notification),
      }),
    );
    const { seen, target } = recordingTarget();
    const summary = await replay({
      source: lambdaSqsSource({ sqs, streams, queueUrl: queue.queueUrl, waitTimeSeconds: 1 }),
      target,
    });
    expect(summary.replayed).toBe(2);
    expect(seen).toEqual(records.slice(1).map((r) => r.eventID));
  });

  it("replays the records inside S3 destination objects and deletes each object after", async () => {
    const { streamArn, shardId, records } = await streamWithOrders(4);
    const { bucketName } = await stack.createBucket();
    const key = `aws/lambda/5f1e2d3c-0000-4000-8000-000000000001/${shardId}/2026/11/21/2026-11-21T10.00.00-x`;
    const object = {
      ...failureRecord(streamArn, shardId, records),
      payload: JSON.stringify({ Records: records }),
    };
    await s3.send(
      new PutObjectCommand({ Bucket: bucketName, Key: key, Body: JSON.stringify(object) }),
    );

    const { seen, target } = recordingTarget();
    const source = () => lambdaS3Source({ s3, bucket: bucketName });
    expect(await replay({ source: source(), target })).toMatchObject({ messages: 1, replayed: 4 });
    expect(seen).toEqual(records.map((r) => r.eventID));
    expect(await replay({ source: source(), target })).toMatchObject({ messages: 0 });
  });
});

describe("re-driving Lambda's failed records to a queue", () => {
  it("sends each record as a sluice envelope describing Lambda's failure", async () => {
    const { streamArn, shardId, records } = await streamWithOrders(3);
    const { bucketName } = await stack.createBucket();
    const object = { ...failureRecord(streamArn, shardId, records), payload: { Records: records } };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucketName,
        Key: "aws/lambda/m/s/x",
        Body: JSON.stringify(object),
      }),
    );
    const retryQueue = await stack.createQueue();
    const summary = await replay({
      source: lambdaS3Source({ s3, bucket: bucketName }),
      target: queueTarget({ sqs, queueUrl: retryQueue.queueUrl }),
    });
    expect(summary.replayed).toBe(3);
    const messages = await stack.receiveMessages(retryQueue.queueUrl, 3);
    const envelopes = messages.map((m) => parseEnvelope(m.Body!));
    expect(envelopes.map((e) => e.record.eventID).sort()).toEqual(
      records.map((r) => r.eventID).sort(),
    );
    expect(envelopes[0]).toMatchObject({
      pipeline: "lambda",
      processor: "orders-stream",
      error: { name: "LambdaFailureDestination", code: "RetryAttemptsExhausted" },
    });
    expect(messages[0]!.MessageAttributes?.errorCode?.StringValue).toBe("RetryAttemptsExhausted");
  });
});
