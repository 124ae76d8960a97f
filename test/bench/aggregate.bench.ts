// Daily sales over 1,000 stream records in batches of 100 (50 distinct aggregate keys in each
// batch), against DynamoDB Local, two ways: sluice's `aggregate` processor with DynamoDB
// checkpoints, and the tutorial version, one UpdateItem ADD per record without checkpoints. Each
// runs a first delivery, the same batches again (as after lost responses, within the ten minutes
// of DynamoDB's ClientRequestToken), and the records again in batches shifted by 30 (other
// boundaries, as after a bisection). DynamoDB requests are counted at the client, below the
// SDK's retries; each row also says whether the aggregates are still right afterwards.
import type * as Local from "../../packages/local/src/index.js";
import type * as Processors from "../../packages/processors/src/index.js";
import type * as Runtime from "../../packages/runtime/src/index.js";
import type * as Testing from "../../packages/testing/src/index.js";
import { type Client, countRequests, loaderFrom } from "./support.ts";

type Sdk = {
  DynamoDBClient: new (config: object) => Client;
  CreateTableCommand: new (input: object) => unknown;
  UpdateItemCommand: new (input: object) => unknown;
};
type StreamRecord = Record<string, unknown>;
type Handler = (event: { Records: StreamRecord[] }, context: object) => Promise<unknown>;

// Everything resolves from the processors package: its built dist and its dependencies.
const load = loaderFrom("processors");

const RECORDS = 1_000;
const BATCH = 100;
const KEYS = 50;

interface Order {
  PK: string;
  SK: string;
  status: string;
  orderDate: string;
  total: number;
}

/** The k-th of the 50 aggregate keys of a batch: 25 days times two statuses. */
const keyOf = (k: number) => ({
  status: k < KEYS / 2 ? "paid" : "pending",
  orderDate: `2026-11-${String(1 + (k % (KEYS / 2))).padStart(2, "0")}`,
});

/**
 * Two workloads. `inserts`: 1,000 new orders, each batch 100 orders over the 50 keys.
 * `insert then modify`: 500 orders, each batch inserts 50 of them and then changes their totals.
 */
function workloads(build: typeof Testing.streamRecord) {
  const image = (order: number, total: string) => {
    const { status, orderDate } = keyOf(order % KEYS);
    return {
      PK: { S: `CUSTOMER#c-${order % 7}` },
      SK: { S: `ORDER#o-${order}` },
      status: { S: status },
      orderDate: { S: orderDate },
      total: { N: total },
    };
  };
  const record = (index: number, order: number, before?: string, after?: string) =>
    build({
      index,
      keys: { PK: image(order, "0").PK, SK: image(order, "0").SK },
      ...(before !== undefined && { oldImage: image(order, before) }),
      ...(after !== undefined && { newImage: image(order, after) }),
    }) as StreamRecord;
  const inserts = Array.from({ length: RECORDS }, (_, i) =>
    record(i, i, undefined, (10 + (i % 7) * 0.25).toFixed(2)),
  );
  const insertThenModify = Array.from({ length: RECORDS }, (_, i) => {
    const batch = Math.floor(i / BATCH);
    const j = i % BATCH;
    const order = batch * (BATCH / 2) + (j % (BATCH / 2));
    return j < BATCH / 2 ? record(i, order, undefined, "10") : record(i, order, "10", "12.5");
  });
  return [
    { name: "inserts", records: inserts, orders: RECORDS, revenue: sumOf(inserts) },
    {
      name: "insert then modify",
      records: insertThenModify,
      orders: RECORDS / 2,
      revenue: (RECORDS / 2) * 12.5,
    },
  ];
}

function sumOf(records: StreamRecord[]): number {
  let total = 0;
  for (const record of records) {
    const image = (record.dynamodb as { NewImage: { total: { N: string } } }).NewImage;
    total += Number(image.total.N);
  }
  return total;
}

const batchesOf = (records: StreamRecord[], offset = 0) => {
  const batches: StreamRecord[][] = [];
  if (offset > 0) batches.push(records.slice(0, offset));
  for (let start = offset; start < records.length; start += BATCH) {
    batches.push(records.slice(start, start + BATCH));
  }
  return batches;
};

const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "bench" };

export default async function bench(): Promise<void> {
  const sdk = await load<Sdk>("@aws-sdk/client-dynamodb");
  const local = await load<typeof Local>("@sluice/local");
  const runtime = await load<typeof Runtime>("@sluice/runtime");
  const processors = await load<typeof Processors>("@sluice/processors");
  const testing = await load<typeof Testing>("@sluice/testing");

  const stack = await local.startLocalStack({ services: ["dynamodb"] });
  try {
    const client = new sdk.DynamoDBClient({
      region: stack.config.region,
      credentials: stack.config.credentials,
      endpoint: stack.config.endpoints.dynamodb,
    });
    const requests = countRequests(client);
    const aggregates = "daily-sales";
    const checkpoints = "sluice-checkpoints";
    await client.send(new sdk.CreateTableCommand(processors.aggregateTableInput(aggregates)));
    await client.send(new sdk.CreateTableCommand(runtime.checkpointTableInput(checkpoints)));

    const measures = { orders: processors.count(), revenue: processors.sum("total") };
    const definition = (name: string) => ({
      name,
      key: (order: Order) => order.status,
      bucket: { attribute: "orderDate", unit: "day" as const },
      measures,
    });

    const sluice = (name: string): Handler => {
      const handler = runtime.streamHandler<Order>({
        pipeline: "bench",
        processors: [
          processors.aggregate<Order>({
            ...definition(name),
            table: aggregates,
            client: client as never,
          }),
        ],
        checkpoints: new runtime.DynamoDBCheckpointStore({
          client: client as never,
          tableName: checkpoints,
        }),
        metrics: false,
        logger: { level: "error" },
      });
      return (event, ctx) => handler(event as never, ctx as never);
    };

    // The tutorial: per record, ADD the change to the aggregate of the day and status.
    const naive = (name: string): Handler =>
      runtime.streamHandler<Order>({
        pipeline: "bench",
        processor: "naive",
        metrics: false,
        logger: { level: "error" },
        handle: async (change) => {
          const image = (change.newImage ?? change.oldImage)!;
          const revenue = Number(change.newImage?.total ?? 0) - Number(change.oldImage?.total ?? 0);
          const orders = change.kind === "insert" ? 1 : change.kind === "remove" ? -1 : 0;
          await client.send(
            new sdk.UpdateItemCommand({
              TableName: aggregates,
              Key: { pk: { S: `${name}#${image.status}` }, sk: { S: image.orderDate } },
              UpdateExpression: "ADD orders :o, revenue :r",
              ExpressionAttributeValues: {
                ":o": { N: String(orders) },
                ":r": { N: String(revenue) },
              },
            }),
          );
        },
      }) as Handler;

    const totals = async (name: string) => {
      const reader = processors.aggregateReader({
        ...definition(name),
        client: client as never,
        table: aggregates,
        consistentRead: true,
      });
      let orders = 0;
      let revenue = 0;
      for (const status of ["paid", "pending"]) {
        for (const row of await reader.range(status, "2026-11-01", "2026-11-30")) {
          orders += Number(row.values.orders);
          revenue += Number(row.values.revenue);
        }
      }
      return { orders, revenue };
    };

    const deliver = async (handler: Handler, batches: StreamRecord[][]) => {
      requests.reset();
      const started = performance.now();
      for (const Records of batches) {
        const response = (await handler({ Records }, context)) as {
          batchItemFailures: unknown[];
        };
        if (response.batchItemFailures.length > 0) throw new Error("A batch failed in the bench.");
      }
      const ms = performance.now() - started;
      return { ...requests.counted(), ms };
    };

    // Warm-up, not measured: JIT and DynamoDB Local's first requests.
    const [warm] = workloads(testing.streamRecord);
    await deliver(sluice("warm-s"), batchesOf(warm!.records.slice(0, 200)));
    await deliver(naive("warm-n"), batchesOf(warm!.records.slice(0, 200)));

    const rows: Record<string, unknown>[] = [];
    const ratios: string[] = [];
    for (const [w, workload] of workloads(testing.streamRecord).entries()) {
      const measured: Record<string, Record<string, number>> = {};
      for (const [system, make] of [
        ["sluice aggregate", sluice],
        ["one UpdateItem per record", naive],
      ] as const) {
        const name = `${w}-${system.split(" ")[0]}`;
        const handler = make(name);
        measured[system] = {};
        for (const [delivery, batches] of [
          ["first", batchesOf(workload.records)],
          ["same batches again", batchesOf(workload.records)],
          ["again, shifted by 30", batchesOf(workload.records, 30)],
        ] as const) {
          const result = await deliver(handler, batches);
          const after = await totals(name);
          const right = after.orders === workload.orders && after.revenue === workload.revenue;
          measured[system][delivery] = result.requests;
          rows.push({
            workload: workload.name,
            system,
            delivery,
            "DynamoDB requests": result.requests,
            "per 1,000 records": Math.round((result.requests * 1_000) / RECORDS),
            "per batch": Number((result.requests / (RECORDS / BATCH)).toFixed(1)),
            "wall ms": Math.round(result.ms),
            "aggregates right": right ? "yes" : `no (${after.orders} orders)`,
            operations: result.operations,
          });
        }
      }
      const s = measured["sluice aggregate"]!;
      const n = measured["one UpdateItem per record"]!;
      ratios.push(
        `${workload.name}: the tutorial makes ${(n.first! / s.first!).toFixed(0)}x the requests of sluice on first delivery, ${(n["same batches again"]! / s["same batches again"]!).toFixed(0)}x on the same batches again, ${(n["again, shifted by 30"]! / s["again, shifted by 30"]!).toFixed(0)}x shifted`,
      );
    }
    console.log(
      `${RECORDS} records, batches of ${BATCH}, ${KEYS} distinct aggregate keys per batch, DynamoDB Local`,
    );
    console.table(rows);
    for (const line of ratios) console.log(line);
  } finally {
    await stack.stop();
  }
}
