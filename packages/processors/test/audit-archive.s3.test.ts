import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { useLocalStack } from "@sluice/local/testing";
import {
  type AttributeMap,
  type ChangeEvent,
  type DynamoDBStreamRecord,
  decodeLambdaEvent,
} from "@sluice/records";
import { type DeadLetter, MemoryCheckpointStore, streamHandler } from "@sluice/runtime";
import { streamArnOf, streamRecord } from "@sluice/testing";
import { describe, expect, it } from "vitest";
import { AuditArchiveError, auditArchive, readAuditArchive } from "../src/audit-archive/index.js";
import { writeArchive } from "../src/audit-archive/write.js";
import {
  collect,
  faultyS3,
  lambdaContext,
  objectKeys,
  objectLines,
  quiet,
} from "./audit-archive.helpers.js";

const stack = useLocalStack();
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Change `index` of item `pk`, created at `iso`, with sequence numbers wider than a JS number. */
function change(index: number, pk: string, iso: string, extra: AttributeMap = {}) {
  const keys = { PK: { S: pk }, SK: { S: "A" } };
  return streamRecord({
    index,
    eventId: `e-${index}`,
    keys,
    newImage: { ...keys, n: { N: String(index) }, ...extra },
    createdAt: at(iso),
  });
}

const range = { since: new Date("2026-11-21T00:00:00Z"), until: new Date("2026-11-22T00:00:00Z") };

describe("auditArchive in S3", () => {
  it("writes one gzipped JSON Lines object per batch and hour; a redelivered batch overwrites it instead of adding one", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3, calls } = faultyS3(stack.config);
    const handler = streamHandler({
      pipeline: "shop",
      processors: [auditArchive({ s3, bucket: bucketName })],
      metrics: false,
      logger: quiet,
    });
    const records = [
      change(1, "A", "2026-11-21T10:59:58Z"),
      change(2, "B", "2026-11-21T10:59:59Z"),
      change(3, "A", "2026-11-21T11:00:00Z"),
      change(4, "B", "2026-11-21T11:30:00Z"),
    ];
    expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const keys = await objectKeys(s3, bucketName);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(
      /^audit\/table=Orders\/dt=2026-11-21\/hour=10\/\d+-\d+-[0-9a-f]{16}\.jsonl\.gz$/,
    );
    expect(keys[1]).toMatch(/^audit\/table=Orders\/dt=2026-11-21\/hour=11\//);
    expect((await objectLines(s3, bucketName, keys[0]!)).map((l) => l.meta)).toMatchObject([
      { eventId: "e-1", tableName: "Orders", approximateCreationTime: "2026-11-21T10:59:58.000Z" },
      { eventId: "e-2" },
    ]);
    expect(calls.get("PutObject")).toBe(2);

    // Lambda sends the same batch again (a lost response): same objects, overwritten.
    await handler({ Records: records }, lambdaContext());
    expect(await objectKeys(s3, bucketName)).toEqual(keys);
    expect(calls.get("PutObject")).toBe(4);

    // A redelivery with other boundaries (a bisected half) writes another object; the reader
    // still returns every change once, in order per item.
    await handler({ Records: records.slice(1, 3) }, lambdaContext());
    expect(await objectKeys(s3, bucketName)).toHaveLength(4);
    const read = await collect(readAuditArchive({ s3, bucket: bucketName, ...range }));
    expect(read.map((c) => c.meta.eventId)).toEqual(["e-1", "e-2", "e-3", "e-4"]);
    expect(read[0]!.raw).toEqual(records[0]);
  });

  it("fails only the changes of an object that was not written; the redelivery archives them once", async () => {
    const { bucketName } = await stack.createBucket();
    // The hour=10 object's first PutObject is refused; every other write goes through. Objects
    // are written concurrently, so the fault is chosen by key, not by call order.
    let refused = false;
    const { s3, injected } = faultyS3(stack.config, (command, _call, input) => {
      if (command !== "PutObject" || refused || !String(input.Key).includes("/hour=10/")) return;
      refused = true;
      return "before";
    });
    const handler = streamHandler({
      pipeline: "shop",
      ordering: "per-item",
      checkpoints: new MemoryCheckpointStore(),
      retry: { maxAttempts: 1 },
      processors: [auditArchive({ s3, bucket: bucketName })],
      metrics: false,
      logger: quiet,
    });
    const records = [
      change(1, "A", "2026-11-21T10:00:00Z"),
      change(2, "B", "2026-11-21T11:00:00Z"),
      change(3, "C", "2026-11-21T11:00:01Z"),
    ];
    const first = await handler({ Records: records }, lambdaContext());
    expect(injected).toHaveLength(1);
    // hour=10 failed: Lambda is told to resume at record 1.
    expect(first.batchItemFailures).toEqual([
      { itemIdentifier: records[0]!.dynamodb!.SequenceNumber },
    ]);
    expect(await objectKeys(s3, bucketName)).toHaveLength(1);
    // Lambda redelivers from record 1; the checkpoint skips what was archived.
    expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const keys = await objectKeys(s3, bucketName);
    expect(keys).toHaveLength(2);
    const lines = (await Promise.all(keys.map((k) => objectLines(s3, bucketName, k)))).flat();
    expect(lines.map((l) => (l.meta as { eventId: string }).eventId).sort()).toEqual([
      "e-1",
      "e-2",
      "e-3",
    ]);
  });

  it("dead-letters a change it can never place (no table), and archives the rest", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    const letters: DeadLetter[] = [];
    const handler = streamHandler({
      pipeline: "shop",
      processors: [auditArchive({ s3, bucket: bucketName })],
      deadLetter: async (batch) => {
        letters.push(...batch);
      },
      metrics: false,
      logger: quiet,
    });
    const orphan = change(2, "B", "2026-11-21T10:00:00Z");
    delete orphan.eventSourceARN;
    const records = [change(1, "A", "2026-11-21T10:00:00Z"), orphan];
    expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      record: { eventID: "e-2" },
      error: { class: "permanent", name: "AuditArchiveError", code: "NO_TABLE_NAME" },
    });
    expect(await objectKeys(s3, bucketName)).toHaveLength(1);
  });

  it("fails a change whose line cannot be written for good, and the others of its object for a retry", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    const { events } = decodeLambdaEvent({
      Records: [1, 2, 3].map((i) => change(i, `I${i}`, "2026-11-21T10:00:00Z")),
    });
    // A value no DynamoDB stream holds, past the decoder (a bug elsewhere, a hand-made event).
    (events[1]!.raw.dynamodb!.NewImage as Record<string, unknown>).bad = { X: "?" };
    const target = { s3, bucket: bucketName, prefix: "audit" };
    const results = await writeArchive(events, target);
    expect(results[0]).toMatchObject({ ok: false });
    expect(results[1]).toMatchObject({
      ok: false,
      error: { name: "AuditArchiveError", code: "UNKNOWN_ATTRIBUTE_TYPE", eventId: "e-2" },
    });
    expect(results[2]).toMatchObject({ ok: false });
    expect(await objectKeys(s3, bucketName)).toEqual([]);
    // The runtime dead-letters the poison change and retries the others alone.
    expect(await writeArchive([events[0]!, events[2]!], target)).toEqual([
      { ok: true },
      { ok: true },
    ]);
    expect(await objectKeys(s3, bucketName)).toHaveLength(1);
  });

  it("streams a large batch as a multipart upload; a failed part fails the upload, and the retry writes the one object", async () => {
    const { bucketName } = await stack.createBucket();
    // The second part reaches S3 but its answer is lost.
    const { s3, calls, injected } = faultyS3(stack.config, (command, call) =>
      command === "UploadPart" && call === 2 ? "after" : undefined,
    );
    const handler = streamHandler({
      pipeline: "shop",
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      processors: [auditArchive({ s3, bucket: bucketName, queueSize: 1 })],
      metrics: false,
      logger: quiet,
    });
    // 16 items of 400 KB of random bytes: about 8.5 MB of base64, over 5 MiB gzipped.
    const records: DynamoDBStreamRecord[] = Array.from({ length: 16 }, (_, i) =>
      change(i, `BIG#${i}`, "2026-11-21T10:00:00Z", {
        blob: { B: randomBytes(400_000).toString("base64") },
      }),
    );
    expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(injected).toEqual(["UploadPart#2 after"]);
    expect(calls.get("PutObject")).toBeUndefined();
    expect(calls.get("CreateMultipartUpload")).toBe(2);
    expect(calls.get("AbortMultipartUpload")).toBe(1);
    expect(calls.get("CompleteMultipartUpload")).toBe(1);
    expect(calls.get("UploadPart")).toBeGreaterThanOrEqual(4);
    expect(await objectKeys(s3, bucketName)).toHaveLength(1);
    const read = await collect(readAuditArchive({ s3, bucket: bucketName, ...range }));
    expect(read.map((c) => c.raw.dynamodb!.NewImage!.blob)).toEqual(
      records.map((r) => r.dynamodb!.NewImage!.blob),
    );
  });
});

describe("readAuditArchive", () => {
  async function archive(
    bucket: string,
    s3: ReturnType<typeof faultyS3>["s3"],
    records: DynamoDBStreamRecord[],
  ) {
    const handler = streamHandler({
      pipeline: "shop",
      processors: [auditArchive({ s3, bucket })],
      metrics: false,
      logger: quiet,
    });
    expect(await handler({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
  }

  it("returns the changes of [since, until) in time and sequence order, lists only the partitions in range, and filters by table", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3, requests } = faultyS3(stack.config);
    const orders = [
      change(1, "A", "2026-11-20T23:59:59Z"),
      change(2, "A", "2026-11-21T00:00:00Z"),
      change(3, "B", "2026-11-21T13:00:00Z"),
      change(4, "A", "2026-11-22T00:00:00Z"),
    ];
    // Another table, same second as change 3: sequence numbers decide within the second.
    const carts = [5, 6].map((i) => {
      const record = change(i, "C", "2026-11-21T13:00:00Z");
      record.eventSourceARN = streamArnOf("Carts");
      return record;
    });
    await archive(bucketName, s3, orders);
    await archive(bucketName, s3, carts);

    requests.length = 0;
    const all = await collect(readAuditArchive({ s3, bucket: bucketName, ...range }));
    expect(all.map((c) => c.meta.eventId)).toEqual(["e-2", "e-3", "e-5", "e-6"]);
    expect(all.map((c) => c.meta.tableName)).toEqual(["Orders", "Orders", "Carts", "Carts"]);
    const listed = requests
      .filter((r) => r.command === "ListObjectsV2")
      .map((r) => r.input.Prefix as string);
    // One listing for the tables, then each table's one day: never the 20th or the 22nd.
    expect(listed.sort()).toEqual([
      "audit/table=",
      "audit/table=Carts/dt=2026-11-21/",
      "audit/table=Orders/dt=2026-11-21/",
    ]);

    const evening = await collect(
      readAuditArchive({
        s3,
        bucket: bucketName,
        table: "Orders",
        since: new Date("2026-11-21T12:30:00Z"),
        until: new Date("2026-11-22T00:00:01Z"),
      }),
    );
    expect(evening.map((c) => c.meta.eventId)).toEqual(["e-3", "e-4"]);
  });

  it("reports unreadable objects and lines with where they are, or stops on them", async () => {
    const { bucketName } = await stack.createBucket();
    const { s3 } = faultyS3(stack.config);
    await archive(bucketName, s3, [change(1, "A", "2026-11-21T10:00:00Z")]);
    const folder = "audit/table=Orders/dt=2026-11-21/hour=10/";
    await s3.send(
      new PutObjectCommand({ Bucket: bucketName, Key: `${folder}1-1-bad.jsonl.gz`, Body: "plain" }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucketName,
        Key: `${folder}2-2-half.jsonl.gz`,
        Body: gzipSync('{"v":1}\n'),
      }),
    );
    await expect(collect(readAuditArchive({ s3, bucket: bucketName, ...range }))).rejects.toThrow(
      AuditArchiveError,
    );
    const problems: AuditArchiveError[] = [];
    const read = await collect(
      readAuditArchive({
        s3,
        bucket: bucketName,
        ...range,
        onMalformed: (error) => problems.push(error),
      }),
    );
    expect(read.map((c: ChangeEvent) => c.meta.eventId)).toEqual(["e-1"]);
    expect(problems.map((p) => [p.code, p.key, p.line])).toEqual([
      ["MALFORMED_OBJECT", `${folder}1-1-bad.jsonl.gz`, undefined],
      ["MALFORMED_LINE", `${folder}2-2-half.jsonl.gz`, 1],
    ]);
  });

  it("refuses an empty time range", async () => {
    const { s3 } = faultyS3(stack.config);
    await expect(
      collect(readAuditArchive({ s3, bucket: "b", since: range.until, until: range.since })),
    ).rejects.toMatchObject({ code: "INVALID_OPTION" });
  });
});
