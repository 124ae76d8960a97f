// The same 1,000 stream records in 10 batches of 100, against DynamoDB Local, two ways:
// sluice's streamHandler with DynamoDB checkpoints, and Powertools' BatchProcessor with
// makeIdempotent and its DynamoDBPersistenceLayer. Each runs a first delivery, then Lambda
// delivers every batch again (as after a lost response). DynamoDB requests are counted at the
// client (one middleware on each SDK client, below the retry layer), time on the wall clock.
import type * as Local from "../../packages/local/src/index.js";
import type * as Runtime from "../../packages/runtime/src/index.js";
import type * as Testing from "../../packages/testing/src/index.js";
import { type Client, countRequests, loaderFrom, median } from "./support.ts";

type Sdk = {
  DynamoDBClient: new (config: object) => Client;
  CreateTableCommand: new (input: object) => unknown;
};
type BatchPackage = {
  BatchProcessor: new (eventType: string) => unknown;
  EventType: { DynamoDBStreams: string };
  processPartialResponse(
    event: { Records: unknown[] },
    handler: (record: StreamRecord) => Promise<unknown>,
    processor: unknown,
    options: object,
  ): Promise<{ batchItemFailures: unknown[] }>;
};
type IdempotencyPackage = {
  makeIdempotent<F>(fn: F, options: object): F;
  IdempotencyConfig: new (options: object) => { registerLambdaContext(context: object): void };
};
type DynamoPersistencePackage = {
  DynamoDBPersistenceLayer: new (options: object) => unknown;
};
type StreamRecord = Record<string, unknown>;

// The runtime and the libraries compared resolve from the runtime package (built dist).
const load = loaderFrom("runtime");

const RECORDS = 1_000;
const BATCH = 100;
const ROUNDS = 3;

function records(round: string, build: typeof Testing.streamRecord): StreamRecord[] {
  return Array.from({ length: RECORDS }, (_, i) => {
    const keys = { PK: { S: `CUSTOMER#c-${i % 50}` }, SK: { S: `ORDER#o-${i}` } };
    return build({
      index: i,
      eventId: `${round}-event-${i}`,
      keys,
      newImage: { ...keys, total: { N: String(10 + (i % 90)) }, status: { S: "paid" } },
      createdAt: Math.floor(Date.now() / 1000),
    }) as StreamRecord;
  });
}

const batches = (all: StreamRecord[]) =>
  Array.from({ length: RECORDS / BATCH }, (_, b) => ({
    Records: all.slice(b * BATCH, (b + 1) * BATCH),
  }));

const context = {
  getRemainingTimeInMillis: () => 60_000,
  awsRequestId: "bench",
  functionName: "bench",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench",
  memoryLimitInMB: "1024",
  logGroupName: "bench",
  logStreamName: "bench",
  callbackWaitsForEmptyEventLoop: false,
};

interface Measure {
  requests: number;
  ms: number;
  /** Requests by operation, e.g. "GetItem 10, UpdateItem 10". */
  operations: string;
}

type Delivery = (event: { Records: StreamRecord[] }) => Promise<{ batchItemFailures: unknown[] }>;

async function deliver(
  all: StreamRecord[],
  handler: Delivery,
  requests: ReturnType<typeof countRequests>,
): Promise<Measure> {
  requests.reset();
  const started = performance.now();
  for (const event of batches(all)) {
    const response = await handler(event);
    if (response.batchItemFailures.length > 0) throw new Error("A batch failed in the benchmark.");
  }
  const ms = performance.now() - started;
  return { ...requests.counted(), ms };
}

export default async function bench(): Promise<void> {
  const sdk = await load<Sdk>("@aws-sdk/client-dynamodb");
  const local = await load<typeof Local>("@sluice/local");
  const runtime = await load<typeof Runtime>("@sluice/runtime");
  const testing = await load<typeof Testing>("@sluice/testing");
  const batch = await load<BatchPackage>("@aws-lambda-powertools/batch");
  const idempotency = await load<IdempotencyPackage>("@aws-lambda-powertools/idempotency");
  const persistence = await load<DynamoPersistencePackage>(
    "@aws-lambda-powertools/idempotency/dynamodb",
  );

  const stack = await local.startLocalStack({ services: ["dynamodb"] });
  try {
    const client = new sdk.DynamoDBClient({
      region: stack.config.region,
      credentials: stack.config.credentials,
      endpoint: stack.config.endpoints.dynamodb,
    });
    const requests = countRequests(client);

    const checkpointTable = "sluice-checkpoints";
    const idempotencyTable = "powertools-idempotency";
    await client.send(new sdk.CreateTableCommand(runtime.checkpointTableInput(checkpointTable)));
    await client.send(
      new sdk.CreateTableCommand({
        TableName: idempotencyTable,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );

    let applied = 0;
    const apply = (record: { newImage?: unknown } | StreamRecord) => {
      applied += record ? 1 : 0;
    };

    const sluice = (round: string): Delivery => {
      const handler = runtime.streamHandler({
        pipeline: `bench-${round}`,
        processor: "apply",
        checkpoints: new runtime.DynamoDBCheckpointStore({
          client: client as never,
          tableName: checkpointTable,
        }),
        handle: apply,
        metrics: false,
        logger: { level: "error" },
      });
      return (event) => handler(event as never, context);
    };

    const powertools = (): Delivery => {
      const store = new persistence.DynamoDBPersistenceLayer({
        tableName: idempotencyTable,
        awsSdkV3Client: client,
      });
      const config = new idempotency.IdempotencyConfig({ eventKeyJmesPath: "eventID" });
      const processor = new batch.BatchProcessor(batch.EventType.DynamoDBStreams);
      const handleRecord = idempotency.makeIdempotent(
        async (record: StreamRecord) => {
          apply(record);
        },
        { persistenceStore: store, config },
      );
      return (event) => {
        config.registerLambdaContext(context);
        return batch.processPartialResponse(event, handleRecord, processor, { context });
      };
    };

    // A warm-up round for both, not measured: JIT and DynamoDB Local's first requests.
    await deliver(records("warm-s", testing.streamRecord), sluice("warm"), requests);
    await deliver(records("warm-p", testing.streamRecord), powertools(), requests);

    const results = {
      sluice: { first: [] as Measure[], again: [] as Measure[] },
      powertools: { first: [] as Measure[], again: [] as Measure[] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      const s = sluice(`r${round}`);
      const sRecords = records(`s${round}`, testing.streamRecord);
      results.sluice.first.push(await deliver(sRecords, s, requests));
      results.sluice.again.push(await deliver(sRecords, s, requests));
      const p = powertools();
      const pRecords = records(`p${round}`, testing.streamRecord);
      results.powertools.first.push(await deliver(pRecords, p, requests));
      results.powertools.again.push(await deliver(pRecords, p, requests));
    }
    const expectedApplied = 2 * RECORDS + ROUNDS * 2 * RECORDS;
    if (applied !== expectedApplied) {
      throw new Error(
        `Applied ${applied} records, expected ${expectedApplied}: a redelivery re-ran.`,
      );
    }

    const row = (name: string, run: string, measures: Measure[]) => {
      const req = median(measures.map((m) => m.requests));
      return {
        system: name,
        delivery: run,
        "DynamoDB requests": req,
        "per record": Number((req / RECORDS).toFixed(3)),
        "per batch": Number((req / (RECORDS / BATCH)).toFixed(1)),
        "wall ms (median)": Number(median(measures.map((m) => m.ms)).toFixed(1)),
        operations: measures[0]!.operations,
      };
    };
    const rows = [
      row("sluice checkpoints", "first", results.sluice.first),
      row("sluice checkpoints", "redelivery", results.sluice.again),
      row("Powertools idempotency", "first", results.powertools.first),
      row("Powertools idempotency", "redelivery", results.powertools.again),
    ];
    console.log(
      `${RECORDS} records, batches of ${BATCH}, DynamoDB Local, median of ${ROUNDS} rounds`,
    );
    console.table(rows);
    for (const run of ["first", "redelivery"] as const) {
      const s = rows.find((r) => r.system.startsWith("sluice") && r.delivery === run)!;
      const p = rows.find((r) => r.system.startsWith("Powertools") && r.delivery === run)!;
      console.log(
        `${run}: Powertools makes ${(p["DynamoDB requests"] / Math.max(1, s["DynamoDB requests"])).toFixed(0)}x the requests and takes ${(p["wall ms (median)"] / s["wall ms (median)"]).toFixed(1)}x the time of sluice`,
      );
    }
  } finally {
    await stack.stop();
  }
}
