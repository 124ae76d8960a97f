import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sqsDeadLetterRouter } from "@sluice/dlq";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";

const _root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const stack = useLocalStack();
const { sqs } = stack.clients;

/** Calls the local SQS server over its JSON protocol; this package does not depend on the SDK's SQS client. */
async function sqsCall(
  action: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(stack.endpoints.sqs, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${action}`,
    },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`${action}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

const sendMessage = (queueUrl: string, body: string) =>
  sqsCall("SendMessage", { QueueUrl: queueUrl, MessageBody: body });

let dir: string;
let localConfig: string;

// The command is tested as users run it: the built bin in a child process.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-replay-"));
  localConfig = join(dir, "local-stack.json");
  await writeFile(localConfig, JSON.stringify(stack.config));
  // A Lambda handler module: appends the eventIDs it is given to $REPLAYED, fails those in $FAIL.
  await writeFile(
    join(dir, "handler.mjs"),
    `import { appendFileSync } from "node:fs";
export async function handler(event) {
  const failing = (process.env.FAIL ?? "").split(",");
  const failures = [];
  for (const record of event.Records) {
    if (failing.includes(record.eventID)) failures.push({ itemIdentifier: record.dynamodb.SequenceNumber });
    else appendFileSync(process.env.REPLAYED, record.eventID + "\\n");
  }
  return { batchItemFailures: failures };
}
`,
  );
});

function sluice(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, "replay", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function letter(n: number) {
  return {
    record: {
      eventID: `event-${n}`,
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      dynamodb: {
        Keys: { PK: { S: `CUSTOMER#${n}` }, SK: { S: `ORDER#${n}` } },
        SequenceNumber: String(1000 + n),
        ApproximateCreationDateTime: 1_763_683_200,
      },
    },
    error: {
      class: "permanent" as const,
      name: "ValidationError",
      code: "NEGATIVE_TOTAL",
      message: "bad",
    },
    attempts: 1,
    processor: n === 3 ? "search" : "daily-sales",
    pipeline: "orders",
    firstFailureAt: new Date("2026-11-21T10:00:00Z"),
    lastFailureAt: new Date("2026-11-21T10:00:00Z"),
  };
}

async function dlqWith(count: number) {
  const queue = await stack.createQueue();
  await sqsDeadLetterRouter({ sqs, queueUrl: queue.queueUrl })(
    Array.from({ length: count }, (_, i) => letter(i + 1)),
  );
  return queue.queueUrl;
}

async function depth(queueUrl: string): Promise<number> {
  const { Attributes } = (await sqsCall("GetQueueAttributes", {
    QueueUrl: queueUrl,
    AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
  })) as { Attributes?: Record<string, string> };
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

const local = () => ["--local", "--local-config", localConfig, "--wait", "1"];

describe("sluice replay", () => {
  it("--help shows the sources with examples", () => {
    const run = sluice(["--help"]);
    expect(run.status).toBe(0);
    for (const source of ["sluice-sqs", "sluice-s3", "lambda-sqs", "lambda-s3", "audit"]) {
      expect(run.stdout).toContain(source);
    }
    expect(run.stdout).toContain("sluice replay audit s3://");
    expect(run.stdout).toMatch(/Examples:\n {2}sluice replay sluice-sqs /);
    expect(run.stdout).toContain("3 some records had expired");
  });

  it("--dry-run prints what it would replay and leaves the queue as it was", async () => {
    const queueUrl = await dlqWith(3);
    const replayed = join(dir, "dry-run.txt");
    const run = sluice(
      [
        "sluice-sqs",
        queueUrl,
        // --local-config alone names the local stack: no --local needed.
        "--local-config",
        localConfig,
        "--wait",
        "1",
        "--handler",
        "./handler.mjs#handler",
        "--dry-run",
        "--processor",
        "daily-sales",
      ],
      { REPLAYED: replayed },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const plan = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(plan.map((p) => p.keys.PK.S).sort()).toEqual(["CUSTOMER#1", "CUSTOMER#2"]);
    expect(plan[0]).toMatchObject({
      processor: "daily-sales",
      errorCode: "NEGATIVE_TOTAL",
      eventName: "INSERT",
    });
    expect(lines.at(-1)).toBe(
      "dry run: would replay 2, skipped 1, failed again 0, expired 0, malformed 0 (3 messages)",
    );
    await expect(readFile(replayed, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
    expect(await depth(queueUrl)).toBe(3);
  });

  it("replays every record and exits 0; a second run replays nothing", async () => {
    const queueUrl = await dlqWith(4);
    const replayed = join(dir, "replayed.txt");
    const args = [
      "sluice-sqs",
      queueUrl,
      ...local(),
      "--handler",
      "./handler.mjs#handler",
      "--rate",
      "100",
    ];
    const run = sluice(args, { REPLAYED: replayed });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "replayed 4, skipped 0, failed again 0, expired 0, malformed 0 (4 messages)\n",
    );
    expect((await readFile(replayed, "utf8")).trim().split("\n").sort()).toEqual([
      "event-1",
      "event-2",
      "event-3",
      "event-4",
    ]);
    expect(await depth(queueUrl)).toBe(0);

    const again = sluice([...args, "--json"], { REPLAYED: replayed });
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ messages: 0, replayed: 0 });
  });

  it("reaches any endpoint with --endpoint, with credentials and region from the environment", async () => {
    const queueUrl = await dlqWith(2);
    const replayed = join(dir, "endpoint.txt");
    const run = sluice(
      [
        "sluice-sqs",
        queueUrl,
        "--endpoint",
        stack.endpoints.sqs,
        "--wait",
        "1",
        "--handler",
        "./handler.mjs",
      ],
      {
        REPLAYED: replayed,
        AWS_REGION: stack.region,
        AWS_ACCESS_KEY_ID: stack.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: stack.credentials.secretAccessKey,
      },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect((await readFile(replayed, "utf8")).trim().split("\n").sort()).toEqual([
      "event-1",
      "event-2",
    ]);
  });

  it("re-drives records to another queue with --to-queue", async () => {
    const queueUrl = await dlqWith(3);
    const retry = await stack.createQueue();
    const run = sluice([
      "sluice-sqs",
      queueUrl,
      ...local(),
      "--to-queue",
      retry.queueUrl,
      "--processor",
      "search",
    ]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("replayed 1, skipped 2");
    const [moved] = await stack.receiveMessages(retry.queueUrl, 1);
    expect(JSON.parse(moved!.Body!)).toMatchObject({
      v: 1,
      processor: "search",
      record: { eventID: "event-3" },
    });
    expect(await depth(queueUrl)).toBe(2);
  });

  it("exits 1 when records fail again or messages are malformed, and keeps them", async () => {
    const queueUrl = await dlqWith(2);
    await sendMessage(queueUrl, "not an envelope");
    const run = sluice(["sluice-sqs", queueUrl, ...local(), "--handler", "./handler.mjs"], {
      REPLAYED: join(dir, "partial.txt"),
      FAIL: "event-2",
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("replayed 1, skipped 0, failed again 1, expired 0, malformed 1");
    expect(run.stderr).toContain("failed again:");
    expect(run.stderr).toContain("malformed, left in place:");
    expect(run.stderr).toContain("NOT_JSON");
    expect(await depth(queueUrl)).toBe(2);
  });

  it("exits 3 when a Lambda failure range has left the stream", async () => {
    const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const queue = await stack.createQueue();
    const message = {
      requestContext: {
        requestId: "r-1",
        functionArn: "arn:aws:lambda:us-east-1:000000000000:function:orders-stream",
        condition: "RetryAttemptsExhausted",
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: "2026-11-21T10:00:00.000Z",
      DDBStreamBatchInfo: {
        shardId: "shardId-00000000000000000000-00000000",
        startSequenceNumber: "100000000000000000001",
        endSequenceNumber: "100000000000000000009",
        approximateArrivalOfFirstRecord: "2026-11-21T09:59:00Z",
        approximateArrivalOfLastRecord: "2026-11-21T09:59:00Z",
        batchSize: 2,
        streamArn: table.streamArn,
      },
    };
    await sendMessage(queue.queueUrl, JSON.stringify(message));
    const run = sluice(["lambda-sqs", queue.queueUrl, ...local(), "--handler", "./handler.mjs"], {
      REPLAYED: join(dir, "expired.txt"),
    });
    expect(run.status).toBe(3);
    expect(run.stdout).toContain("expired 2");
    expect(run.stderr).toContain("expired, left in place:");
    expect(run.stderr).toContain("shardId-00000000000000000000-00000000");
    expect(await depth(queue.queueUrl)).toBe(1);
  });

  it("exits 2 on usage and configuration errors, saying what to do", () => {
    const noTarget = sluice(["sluice-sqs", "http://127.0.0.1:1/q", ...local()]);
    expect(noTarget.status).toBe(2);
    expect(noTarget.stderr).toContain("--handler FILE#EXPORT or --to-queue URL");
    const noExport = sluice([
      "sluice-sqs",
      "http://127.0.0.1:1/q",
      ...local(),
      "--handler",
      "./handler.mjs#nope",
    ]);
    expect(noExport.status).toBe(2);
    expect(noExport.stderr).toContain('no function export "nope" (it exports handler)');
    const noLocal = sluice([
      "sluice-sqs",
      "http://x/q",
      "--local",
      "--local-config",
      "missing.json",
      "--handler",
      "./handler.mjs",
    ]);
    expect(noLocal.status).toBe(2);
    expect(noLocal.stderr).toContain("sluice dev");
  });
});
