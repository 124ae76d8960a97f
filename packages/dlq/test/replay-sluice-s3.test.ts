import { gunzipSync, gzipSync } from "node:zlib";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { useLocalStack } from "@sluice/local/testing";
import type { DynamoDBStreamRecord } from "@sluice/records";
import { describe, expect, it } from "vitest";
import {
  handlerTarget,
  memoryProgress,
  replay,
  s3DeadLetterRouter,
  s3ObjectSource,
  sluiceS3Source,
} from "../src/index.js";
import { deadLetter, streamRecord } from "./fixtures.js";

const stack = useLocalStack();
const { s3 } = stack.clients;

async function keys(bucket: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!);
}

/** A handler in strict order: it stops at the first record in `failing` and reports it. */
function target(seen: string[], failing: Set<string> = new Set()) {
  return handlerTarget(async (event) => {
    for (const r of event.Records) {
      if (failing.has(r.eventID!)) {
        return { batchItemFailures: [{ itemIdentifier: r.dynamodb!.SequenceNumber! }] };
      }
      seen.push(r.eventID!);
    }
    return { batchItemFailures: [] };
  });
}

describe("replay from a sluice DLQ in S3", () => {
  it("replays one-envelope objects and deletes each after its record succeeded", async () => {
    const { bucketName } = await stack.createBucket();
    await s3DeadLetterRouter({ s3, bucket: bucketName })([
      deadLetter(1),
      deadLetter(2),
      deadLetter(3),
    ]);
    const seen: string[] = [];
    const summary = await replay({
      source: sluiceS3Source({ s3, bucket: bucketName }),
      target: target(seen, new Set(["event-2"])),
    });
    expect(summary).toMatchObject({ messages: 3, replayed: 2, failedAgain: 1 });
    expect(seen.sort()).toEqual(["event-1", "event-3"]);
    expect(await keys(bucketName)).toHaveLength(1);
  });

  it("keeps a batch object until all its records are through, without replaying the done ones twice", async () => {
    const { bucketName } = await stack.createBucket();
    await s3DeadLetterRouter({ s3, bucket: bucketName, layout: "batch" })(
      [1, 2, 3, 4].map((n) => deadLetter(n)),
    );
    const progress = memoryProgress();
    const source = () => sluiceS3Source({ s3, bucket: bucketName });
    const seen: string[] = [];
    const first = await replay({
      source: source(),
      target: target(seen, new Set(["event-3"])),
      progress,
    });
    expect(first).toMatchObject({ replayed: 2, failedAgain: 2 });
    expect(await keys(bucketName)).toHaveLength(1);

    const second = await replay({ source: source(), target: target(seen), progress });
    expect(second).toMatchObject({ replayed: 2, skipped: 2 });
    expect(seen).toEqual(["event-1", "event-2", "event-3", "event-4"]);
    expect(await keys(bucketName)).toEqual([]);
  });
});

describe("a source over objects that are history", () => {
  it("reads gzipped JSON Lines and keeps the objects after replay", async () => {
    const { bucketName } = await stack.createBucket();
    const records = [streamRecord(1), streamRecord(2)];
    const body = gzipSync(records.map((r) => JSON.stringify(r)).join("\n"));
    await s3.send(
      new PutObjectCommand({
        Bucket: bucketName,
        Key: "archive/dt=2026-11-21/a.json.gz",
        Body: body,
      }),
    );
    const source = s3ObjectSource(
      "archive",
      { s3, bucket: bucketName, prefix: "archive/", keepObjects: true },
      (bytes) =>
        gunzipSync(bytes)
          .toString("utf8")
          .split("\n")
          .map((line) => {
            const record = JSON.parse(line) as DynamoDBStreamRecord;
            return { id: record.eventID!, record, meta: {} };
          }),
    );
    const seen: string[] = [];
    expect(await replay({ source, target: target(seen) })).toMatchObject({ replayed: 2 });
    expect(seen).toEqual(["event-1", "event-2"]);
    expect(await keys(bucketName)).toEqual(["archive/dt=2026-11-21/a.json.gz"]);
  });
});
