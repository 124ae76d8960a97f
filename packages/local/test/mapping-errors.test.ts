import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import type { FailureDestinationPayload } from "@sluice/records";
import { decode } from "@sluice/records";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { recordsOf, sequenceOf, sortKeysOf, streamTable } from "./mapping-helpers.js";

function keysOf(event: DynamoDBStreamEvent): string[] {
  return event.Records.map((record) => record.dynamodb?.Keys?.SK?.S as string);
}

async function table(count: number) {
  const t = await streamTable();
  for (let i = 1; i <= count; i++) await t.put("P", `S#${i}`);
  return t;
}

describe("event source mapping: ReportBatchItemFailures", () => {
  it("checkpoints before the lowest reported record and redelivers from it", async () => {
    const t = await table(5);
    let calls = 0;
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      handler: (event: DynamoDBStreamEvent) => {
        calls += 1;
        if (calls > 1) return { batchItemFailures: [] };
        // Reports S#4 and S#3, out of order: Lambda resumes from the lowest, S#3.
        const [, , third, fourth] = event.Records;
        return {
          batchItemFailures: [
            { itemIdentifier: sequenceOf(fourth!) },
            { itemIdentifier: sequenceOf(third!) },
          ],
        };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(sortKeysOf(mapping)).toEqual([
      ["S#1", "S#2", "S#3", "S#4", "S#5"],
      ["S#3", "S#4", "S#5"],
    ]);
    const checkpoints = mapping.log.flatMap((entry) =>
      entry.type === "checkpoint" ? [entry.sequenceNumber] : [],
    );
    const [first] = recordsOf(mapping);
    expect(checkpoints).toEqual([sequenceOf(first![1]!), sequenceOf(first![4]!)]);
    expect(mapping.stats()).toMatchObject({ retries: 1, recordsSucceeded: 5 });
  });

  it("fails the whole batch when an itemIdentifier is unknown, null or misnamed", async () => {
    const t = await table(2);
    const responses: unknown[] = [
      { batchItemFailures: [{ itemIdentifier: "12345" }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ sequenceNumber: "1" }] },
      { batchItemFailures: [] },
    ];
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      handler: () => responses.shift(),
    });
    await mapping.start();
    await mapping.waitForIdle();
    expect(sortKeysOf(mapping)).toEqual(Array(4).fill(["S#1", "S#2"]));
    expect(mapping.invocations.map((invocation) => invocation.outcome.kind)).toEqual([
      "failure",
      "failure",
      "failure",
      "success",
    ]);
  });

  it("without ReportBatchItemFailures, ignores a reported failure and retries whole batches on a throw", async () => {
    const t = await table(2);
    let calls = 0;
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      handler: (event: DynamoDBStreamEvent) => {
        calls += 1;
        if (calls === 1) throw new Error("database unavailable");
        return { batchItemFailures: [{ itemIdentifier: sequenceOf(event.Records[0]!) }] };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();
    expect(sortKeysOf(mapping)).toEqual([
      ["S#1", "S#2"],
      ["S#1", "S#2"],
    ]);
    expect(mapping.invocations[0]?.error).toEqual({
      errorType: "Error",
      errorMessage: "database unavailable",
    });
  });
});

describe("event source mapping: BisectBatchOnFunctionError and MaximumRetryAttempts", () => {
  it("bisects a failing batch down to the bad record; splits do not use up retries", async () => {
    const t = await table(4);
    const queue = await t.local.createQueue();
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      handler: (event: DynamoDBStreamEvent) => {
        if (keysOf(event).includes("S#3")) throw new Error("poison record");
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(sortKeysOf(mapping)).toEqual([
      ["S#1", "S#2", "S#3", "S#4"],
      ["S#1", "S#2"],
      ["S#3", "S#4"],
      ["S#3"],
      ["S#3"],
      ["S#4"],
    ]);
    expect(mapping.stats()).toMatchObject({
      bisections: 2,
      retries: 1,
      recordsSucceeded: 3,
      recordsDiscarded: 1,
    });
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    const body = JSON.parse(message?.Body ?? "{}") as FailureDestinationPayload;
    const bad = recordsOf(mapping)[3]![0]!;
    expect(body.requestContext).toMatchObject({
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 4,
    });
    expect(body.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: sequenceOf(bad),
      endSequenceNumber: sequenceOf(bad),
      batchSize: 1,
    });
  });

  it("with partial failures, bisects at the reported record, then isolates it", async () => {
    const t = await table(4);
    const queue = await t.local.createQueue();
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      handler: (event: DynamoDBStreamEvent) => {
        const bad = event.Records.find((record) => record.dynamodb?.Keys?.SK?.S === "S#3");
        return { batchItemFailures: bad ? [{ itemIdentifier: sequenceOf(bad) }] : [] };
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    // Reported at S#3: S#1..S#2 are checkpointed; the rest fails at its first record, so it
    // splits in two; S#3 alone fails again with no retries left and goes to the destination.
    expect(sortKeysOf(mapping)).toEqual([
      ["S#1", "S#2", "S#3", "S#4"],
      ["S#3", "S#4"],
      ["S#3"],
      ["S#4"],
    ]);
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    const body = JSON.parse(message?.Body ?? "{}") as FailureDestinationPayload;
    expect(body.requestContext).toMatchObject({
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 3,
    });
    expect(body.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST" });
    expect(body.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(mapping.stats()).toMatchObject({ retries: 0, recordsSucceeded: 3, recordsDiscarded: 1 });
  });

  it("retries exhausted: sends Lambda's invocation record to SQS and moves on to later records", async () => {
    const t = await table(2);
    const queue = await t.local.createQueue();
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      functionName: "audit",
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      handler: (event: DynamoDBStreamEvent) => {
        if (keysOf(event).includes("S#1")) throw new TypeError("cannot read total");
      },
    });
    const emitted: unknown[] = [];
    mapping.events.on("destination", (entry) => emitted.push(entry));
    await mapping.start();
    await mapping.waitForIdle();
    await t.put("P", "S#3");
    await mapping.waitForIdle();

    expect(sortKeysOf(mapping)).toEqual([["S#1", "S#2"], ["S#1", "S#2"], ["S#1", "S#2"], ["S#3"]]);
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    const body = JSON.parse(message?.Body ?? "{}") as FailureDestinationPayload;
    const [first, second] = recordsOf(mapping)[0]!;
    const shardId = Object.keys(mapping.stats().shards)[0];
    expect(body).toEqual({
      requestContext: {
        requestId: mapping.invocations[2]?.requestId,
        functionArn: mapping.functionArn,
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: sequenceOf(first!),
        endSequenceNumber: sequenceOf(second!),
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        batchSize: 2,
        streamArn: t.streamArn,
      },
    });
    expect(body.requestContext.functionArn).toMatch(/:function:audit$/);
    expect(mapping.destinationMessages).toEqual([body]);
    expect(emitted).toEqual([
      {
        type: "destination",
        target: queue.queueArn,
        message: body,
        location: expect.stringContaining(queue.queueName),
      },
    ]);
  });

  it("sends the invocation record to an SNS topic", async () => {
    const t = await table(1);
    const queue = await t.local.createQueue();
    const { TopicArn } = await t.local.clients.sns.send(
      new CreateTopicCommand({ Name: t.local.uniqueName("topic") }),
    );
    await t.local.clients.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: "sqs",
        Endpoint: queue.queueArn,
        Attributes: { RawMessageDelivery: "true" },
      }),
    );
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: TopicArn as string } },
      handler: () => {
        throw new Error("down");
      },
    });
    await mapping.start();
    await mapping.waitForIdle();
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 1 },
      DDBStreamBatchInfo: { batchSize: 1, streamArn: t.streamArn },
    });
  });

  it("writes the invocation record with the whole event to S3 under Lambda's key format", async () => {
    const t = await table(2);
    const { bucketName } = await t.local.createBucket();
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: `arn:aws:s3:::${bucketName}` } },
      handler: () => {
        throw new Error("down");
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    const shardId = Object.keys(mapping.stats().shards)[0] as string;
    const listed = await t.local.clients.s3.send(new ListObjectsV2Command({ Bucket: bucketName }));
    const keys = (listed.Contents ?? []).map((object) => object.Key as string);
    expect(keys).toHaveLength(1);
    const day = new Date().toISOString().slice(0, 10);
    expect(keys[0]).toMatch(
      new RegExp(
        `^aws/lambda/${mapping.uuid}/${shardId}/${day.replaceAll("-", "/")}/${day}T\\d\\d\\.\\d\\d\\.\\d\\d-[0-9a-f-]{36}$`,
      ),
    );
    const object = await t.local.clients.s3.send(
      new GetObjectCommand({ Bucket: bucketName, Key: keys[0] }),
    );
    const body = JSON.parse(await object.Body!.transformToString()) as FailureDestinationPayload;
    expect(body.requestContext.condition).toBe("RetryAttemptsExhausted");
    expect(body.DDBStreamBatchInfo.batchSize).toBe(2);
    expect(JSON.parse(body.payload as string)).toEqual({ Records: recordsOf(mapping)[0] });
    // sluice's own reader of failure destinations gets the records back from it.
    const decoded = decode(body);
    expect(decoded.source).toBe("failure-destination");
    expect(decoded.events.map((event) => event.meta.sequenceNumber)).toEqual(
      recordsOf(mapping)[0]!.map(sequenceOf),
    );
  });
});

describe("event source mapping: MaximumRecordAgeInSeconds", () => {
  it("discards records already older than the limit without invoking, and says why", async () => {
    const t = await table(2);
    const queue = await t.local.createQueue();
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      clock: () => Date.now() + 120_000,
      handler: () => {},
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(mapping.invocations).toHaveLength(0);
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      requestContext: { condition: "MaximumRecordAgeExceeded", approximateInvokeCount: 0 },
      DDBStreamBatchInfo: { batchSize: 2 },
    });
    expect(mapping.stats()).toMatchObject({ recordsDiscarded: 2, recordsPending: 0 });
  });

  it("stops retrying a failing batch once its records are too old, even with unlimited retries", async () => {
    const t = await table(1);
    const queue = await t.local.createQueue();
    let offset = 0;
    const mapping = t.mapping({
      StartingPosition: "TRIM_HORIZON",
      MaximumRecordAgeInSeconds: 60,
      MaximumRetryAttempts: -1,
      DestinationConfig: { OnFailure: { Destination: queue.queueArn } },
      clock: () => Date.now() + offset,
      handler: () => {
        // A minute passes during the first attempt.
        offset += 61_000;
        throw new Error("still failing");
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(mapping.invocations).toHaveLength(1);
    const [message] = await t.local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message?.Body ?? "{}")).toMatchObject({
      requestContext: {
        requestId: mapping.invocations[0]?.requestId,
        condition: "MaximumRecordAgeExceeded",
        approximateInvokeCount: 1,
      },
      responseContext: { functionError: "Unhandled" },
    });
  });
});
