// S3 requests to archive 1,000 stream records (10 batches of 100 over 50 distinct items), on
// fauxqs: sluice's auditArchive (one gzipped object per batch and hour) against the naive archive
// (one PutObject per record). Requests are counted at the SDK client, per HTTP attempt; the
// redelivery row sends every batch again, as after lost responses, without checkpoints.
import type * as Local from "../../packages/local/src/index.js";
import type * as Processors from "../../packages/processors/src/index.js";
import type * as Runtime from "../../packages/runtime/src/index.js";
import type * as Testing from "../../packages/testing/src/index.js";
import { type Client, countRequests, loaderFrom } from "./support.ts";

type Sdk = {
  S3Client: new (
    config: object,
  ) => Client<{ Contents?: { Size?: number }[]; IsTruncated?: boolean }>;
  CreateBucketCommand: new (input: object) => unknown;
  PutObjectCommand: new (input: object) => unknown;
  ListObjectsV2Command: new (input: object) => unknown;
};
type StreamRecord = Record<string, unknown>;

// The processors and what they use resolve from the processors package (built dist).
const load = loaderFrom("processors");

const RECORDS = 1_000;
const BATCH = 100;
const ITEMS = 50;
const PUT_PRICE_PER_1000 = 0.005;

const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "bench" };

function records(build: typeof Testing.streamRecord): StreamRecord[] {
  const createdAt = Math.floor(Date.now() / 1000);
  return Array.from({ length: RECORDS }, (_, i) => {
    const keys = { PK: { S: `CUSTOMER#c-${i % ITEMS}` }, SK: { S: "PROFILE" } };
    return build({
      index: i,
      eventId: `event-${i}`,
      keys,
      newImage: { ...keys, visits: { N: String(i) }, tier: { S: "gold" } },
      oldImage: { ...keys, visits: { N: String(i - 1) }, tier: { S: "gold" } },
      createdAt,
    }) as StreamRecord;
  });
}

interface Measure {
  requests: number;
  operations: string;
  objects: number;
  bytes: number;
  ms: number;
}

export default async function bench(): Promise<void> {
  const sdk = await load<Sdk>("@aws-sdk/client-s3");
  const local = await load<typeof Local>("@sluice/local");
  const runtime = await load<typeof Runtime>("@sluice/runtime");
  const testing = await load<typeof Testing>("@sluice/testing");
  const processors = await load<typeof Processors>("@sluice/processors");

  const stack = await local.startLocalStack({ services: ["fauxqs"] });
  try {
    const s3 = new sdk.S3Client({
      region: stack.config.region,
      credentials: stack.config.credentials,
      endpoint: stack.config.endpoints.s3,
      forcePathStyle: true,
    });
    const requests = countRequests(s3);

    // The naive archive: each record as its own object.
    const naiveArchive = (bucket: string): Runtime.BatchProcessor => ({
      name: "naive-archive",
      async process(events) {
        await Promise.all(
          events.map((event) =>
            s3.send(
              new sdk.PutObjectCommand({
                Bucket: bucket,
                Key: `naive/${event.meta.eventId}.json`,
                Body: JSON.stringify(event.raw),
              }),
            ),
          ),
        );
        return events.map(() => ({ ok: true as const }));
      },
    });

    const stored = async (bucket: string) => {
      const listed = await s3.send(new sdk.ListObjectsV2Command({ Bucket: bucket }));
      const contents = listed.Contents ?? [];
      return { objects: contents.length, bytes: contents.reduce((s, o) => s + (o.Size ?? 0), 0) };
    };

    const deliver = async (
      processor: Runtime.BatchProcessor,
      bucket: string,
      all: StreamRecord[],
    ): Promise<Measure> => {
      const handler = runtime.streamHandler({
        pipeline: "bench",
        processors: [processor],
        metrics: false,
        logger: { level: "error" },
      });
      requests.reset();
      const started = performance.now();
      for (let b = 0; b < RECORDS / BATCH; b++) {
        const response = await handler(
          { Records: all.slice(b * BATCH, (b + 1) * BATCH) } as never,
          context,
        );
        if (response.batchItemFailures.length > 0) throw new Error("A batch failed.");
      }
      const ms = performance.now() - started;
      return { ...requests.counted(), ...(await stored(bucket)), ms };
    };

    const bucket = async (name: string) => {
      await s3.send(new sdk.CreateBucketCommand({ Bucket: name }));
      return name;
    };
    const all = records(testing.streamRecord);
    const sluiceBucket = await bucket("bench-audit");
    const naiveBucket = await bucket("bench-naive");
    const archive = processors.auditArchive({ s3: s3 as never, bucket: sluiceBucket });

    const first = await deliver(archive, sluiceBucket, all);
    const again = await deliver(archive, sluiceBucket, all);
    const perRecord = await deliver(naiveArchive(naiveBucket), naiveBucket, all);

    const row = (name: string, m: Measure) => ({
      archive: name,
      "S3 requests": m.requests,
      "per 1,000 records": Math.round((m.requests / RECORDS) * 1000),
      "PUT $ per million records": Number(
        ((m.requests / RECORDS) * 1_000_000 * (PUT_PRICE_PER_1000 / 1000)).toFixed(2),
      ),
      "objects stored": m.objects,
      "bytes stored": m.bytes,
      "wall ms": Number(m.ms.toFixed(0)),
      operations: m.operations,
    });
    console.log(
      `${RECORDS} records, batches of ${BATCH}, ${ITEMS} distinct items, one hour; fauxqs S3`,
    );
    console.table([
      row("sluice auditArchive", first),
      row("sluice auditArchive, redelivered", again),
      row("naive: PutObject per record", perRecord),
    ]);
    console.log(
      `The naive archive makes ${(perRecord.requests / first.requests).toFixed(0)}x the S3 PUT requests of auditArchive ` +
        `(${perRecord.requests} vs ${first.requests}) and stores ${(perRecord.bytes / first.bytes).toFixed(1)}x the bytes; ` +
        `a redelivery overwrites the same ${again.objects} objects.`,
    );
  } finally {
    await stack.stop();
  }
}
