import { execFileSync } from "node:child_process";
import { createServer } from "node:net";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListEventBusesCommand } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../src/stack.js";
import { javaOnPort, pgrep } from "./java-processes.js";

function javaPidOf(endpoint: string): string[] {
  return javaOnPort(new URL(endpoint).port);
}

function processGroupOf(pid: string): string {
  return execFileSync("ps", ["-o", "pgid=", "-p", pid], { encoding: "utf8" }).trim();
}

describe("startLocalStack", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    const started = performance.now();
    stack = await startLocalStack();
    console.log(`local stack started in ${Math.round(performance.now() - started)} ms`);
  });
  afterAll(() => stack?.stop());

  it("serves DynamoDB Local on 127.0.0.1", async () => {
    expect(new URL(stack.endpoints.dynamodb).hostname).toBe("127.0.0.1");
    const tables = await stack.clients.dynamodb.send(new ListTablesCommand({}));
    expect(tables.TableNames).toBeInstanceOf(Array);
  });

  it("serves S3 from fauxqs with path-style addressing", async () => {
    await stack.clients.s3.send(new CreateBucketCommand({ Bucket: "stack-test" }));
    await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: "stack-test", Key: "a/b.txt", Body: "hello" }),
    );
    const object = await stack.clients.s3.send(
      new GetObjectCommand({ Bucket: "stack-test", Key: "a/b.txt" }),
    );
    expect(await object.Body?.transformToString()).toBe("hello");
  });

  it("serves SQS and SNS from fauxqs", async () => {
    const { QueueUrl } = await stack.clients.sqs.send(
      new CreateQueueCommand({ QueueName: "stack-test" }),
    );
    await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ping" }));
    const { Messages } = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.[0]?.Body).toBe("ping");
    const topic = await stack.clients.sns.send(new CreateTopicCommand({ Name: "stack-test" }));
    expect(topic.TopicArn).toMatch(/^arn:aws:sns:us-east-1:\d{12}:stack-test$/);
  });

  it("serves the local EventBridge with its default bus", async () => {
    const { EventBuses } = await stack.clients.eventbridge.send(new ListEventBusesCommand({}));
    expect(EventBuses?.map((bus) => bus.Name)).toContain("default");
  });

  it("gives plain-data config that another process can use", () => {
    expect(JSON.parse(JSON.stringify(stack.config))).toEqual(stack.config);
    expect(stack.config.endpoints.sqs).toBe(stack.endpoints.sqs);
  });
});

describe("stopping", () => {
  it("leaves no DynamoDB Local process behind after stop()", async () => {
    const stack = await startLocalStack({ services: ["dynamodb"] });
    const [pid] = javaPidOf(stack.endpoints.dynamodb);
    expect(pid).toBeDefined();
    const group = processGroupOf(pid!);
    await stack.stop();
    expect(pgrep("-g", group)).toEqual([]);
    expect(javaPidOf(stack.endpoints.dynamodb)).toEqual([]);
  });

  it("stops the servers that started when another one fails to start", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const busyPort = typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(startLocalStack({ ports: { fauxqs: busyPort } })).rejects.toThrow(/EADDRINUSE/);
      // DynamoDB Local runs under a watchdog shell, a child of this process.
      expect(pgrep("-P", String(process.pid), "sh")).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("needs fauxqs for the local EventBridge", async () => {
    await expect(startLocalStack({ services: ["eventbridge"] })).rejects.toThrow(/add "fauxqs"/);
  });

  it("reports DynamoDB Local's own output when it cannot start", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const busyPort = typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(
        startLocalStack({ services: ["dynamodb"], ports: { dynamodb: busyPort } }),
      ).rejects.toThrow(/DynamoDB Local exited during startup/);
      expect(javaOnPort(busyPort)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it("says which server is not running when an endpoint or client is used", async () => {
    const stack = await startLocalStack({ services: ["fauxqs"] });
    try {
      expect(() => stack.endpoints.dynamodb).toThrow(/"dynamodb" in its services/);
      expect(() => stack.clients.dynamodb).toThrow(/not running/);
    } finally {
      await stack.stop();
    }
  });
});
