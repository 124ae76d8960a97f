// End to end: example-shop orders written to DynamoDB Local, read by the local event source
// mapping with Lambda's semantics, indexed by searchIndex into both sinks (OpenSearch through its
// contract server, and the embedded one) with throttles, failed calls, a lost response and a
// poison document injected. Then each index must equal the table.
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { Client } from "@opensearch-project/opensearch";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import {
  type ChangeEvent,
  compareSequenceNumbers,
  type DynamoDBStreamEvent,
  decodeImage,
  decodeLambdaEvent,
} from "@sluice/records";
import {
  checkpointTableInput,
  type DeadLetter,
  DynamoDBCheckpointStore,
  type LambdaContext,
  streamHandler,
} from "@sluice/runtime";
import { afterEach, describe, expect, it } from "vitest";
import {
  embeddedSink,
  openSearchClient,
  openSearchSink,
  type SearchActionResult,
  type SearchSink,
  searchIndex,
  streamVersion,
} from "../src/search-index/index.js";
import { type ContractServer, startContractServer } from "./search-index-contract-server.js";
import {
  attributes,
  keysOf,
  type Order,
  order,
  orderDocument,
  orderId,
  orderSchema,
  orderSearch,
} from "./search-index-fixtures.js";

const stack = useLocalStack();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Answers `retry` for an id's first `times` sightings, and fails the `failCall`th call outright. */
function flaky(sink: SearchSink, throttled: (id: string) => number, failCall: number): SearchSink {
  const seen = new Map<string, number>();
  let calls = 0;
  return {
    async bulk(actions, options) {
      calls += 1;
      if (calls === failCall) throw new Error("connect ECONNRESET");
      const results: (SearchActionResult | undefined)[] = actions.map((action) => {
        const count = (seen.get(action.id) ?? 0) + 1;
        seen.set(action.id, count);
        return count <= throttled(action.id)
          ? { status: "retry", reason: "throttled", httpStatus: 429 }
          : undefined;
      });
      const passed = actions.filter((_, i) => results[i] === undefined);
      const answers = await sink.bulk(passed, options);
      return results.map((result) => result ?? answers.shift()!);
    },
  };
}

/** The last change of each document over everything the mapping delivered. */
function lastChanges(events: DynamoDBStreamEvent[]): Map<string, ChangeEvent<Order>> {
  const last = new Map<string, ChangeEvent<Order>>();
  for (const event of events) {
    for (const change of decodeLambdaEvent<Order>(event).events) {
      if (!String(change.keys.SK).startsWith("ORDER#")) continue;
      const id = orderId(change.keys);
      const seen = last.get(id);
      if (
        !seen ||
        compareSequenceNumbers(change.meta.sequenceNumber, seen.meta.sequenceNumber) > 0
      ) {
        last.set(id, change);
      }
    }
  }
  return last;
}

describe("searchIndex end to end through the local event source mapping", () => {
  it("keeps both indexes equal to the table through redelivery, throttles, failed calls and a poison document", async () => {
    const dynamodb = stack.clients.dynamodb;
    const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const checkpointTable = stack.uniqueName("checkpoints");
    // No TTL on test tables: DynamoDB Local's TTL sweep slows down for every TTL table in the run.
    await dynamodb.send(new CreateTableCommand(checkpointTableInput(checkpointTable)));

    // OpenSearch: some items refused with 429 a few times, one call 503, one response lost.
    let dropped = false;
    const server: ContractServer = await startContractServer({
      mappings: { orders: { total: "double" } },
    });
    cleanups.push(() => server.close());
    const throttledFor = new Map<string, number>();
    server.faults = {
      request: (call) => {
        if (call.number === 3) return 503;
        if (dropped || call.items.length < 2) return undefined;
        dropped = true;
        return "drop";
      },
      item: (item) => {
        const times = Number(item.id.slice(2)) % 6 === 0 ? 5 : 0;
        const count = (throttledFor.get(item.id) ?? 0) + 1;
        throttledFor.set(item.id, count);
        return count <= times ? 429 : undefined;
      },
    };
    const client: Client = openSearchClient({ node: server.url });
    cleanups.push(() => client.close());
    // The embedded sink: some items throttled, one call fails.
    const embedded = embeddedSink({ schema: orderSchema });

    const retry = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 };
    const common = { ...orderSearch, retry };
    const letters: DeadLetter[] = [];
    const inner = streamHandler<Order>({
      pipeline: "shop",
      processors: [
        searchIndex<Order>({ ...common, name: "opensearch", sink: openSearchSink({ client }) }),
        searchIndex<Order>({
          ...common,
          name: "embedded",
          sink: flaky(embedded, (id) => (Number(id.slice(2)) % 5 === 0 ? 5 : 0), 4),
        }),
      ],
      checkpoints: new DynamoDBCheckpointStore({ client: dynamodb, tableName: checkpointTable }),
      deadLetter: async (batch) => void letters.push(...batch),
      retry,
      metrics: false,
      logger: { sink: () => {} },
    });
    // The fourth invocation does its work, but its response never reaches Lambda.
    let invocations = 0;
    const handler = async (event: DynamoDBStreamEvent, context: LambdaContext) => {
      invocations += 1;
      const response = await inner(event, context);
      if (invocations === 4) throw new Error("response lost");
      return response;
    };

    const mapping: EventSourceMapping = createEventSourceMapping({
      streamArn: table.streamArn!,
      clients: stack.clients,
      handler,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 20,
      timeout: 10,
    });
    cleanups.push(() => mapping.stop());
    await mapping.start();

    // The fixtures write no binary attributes, the one type where the SDK's shape differs.
    const sdk = (map: object) => map as Record<string, AttributeValue>;
    const put = (item: object) =>
      dynamodb.send(
        new PutItemCommand({ TableName: table.tableName, Item: sdk(attributes(item as never)) }),
      );
    const remove = (item: Order) =>
      dynamodb.send(new DeleteItemCommand({ TableName: table.tableName, Key: sdk(keysOf(item)) }));

    // Phase 1: 30 orders of 7 customers with their profiles; every order moves on, some twice,
    // five are deleted, one deleted order is placed again; order 13 ends with a total OpenSearch
    // and the schema refuse.
    const current = new Map<number, Order>();
    for (let c = 0; c < 7; c++)
      await put({ PK: `CUSTOMER#c-${c}`, SK: "PROFILE", name: `Customer ${c}`, tier: "gold" });
    for (let n = 0; n < 30; n++) {
      current.set(n, order(n));
      await put(order(n));
    }
    for (let n = 0; n < 30; n++) {
      const paid = { ...current.get(n)!, status: "paid" as const };
      current.set(n, paid);
      await put(paid);
      if (n % 3 === 0) {
        const moved = {
          ...paid,
          status: "shipped" as const,
          shippingAddress: order(n + 1).shippingAddress,
        };
        current.set(n, moved);
        await put(moved);
      }
    }
    for (const n of [4, 9, 17, 22, 28]) {
      await remove(current.get(n)!);
      current.delete(n);
    }
    await put({ PK: "CUSTOMER#c-3", SK: "PROFILE", name: "Customer 3", tier: "platinum" });
    const again = order(9, { status: "pending", items: [{ sku: "SKU-9", qty: 3, price: 4 }] });
    current.set(9, again);
    await put(again);
    const lastGood13 = current.get(13)!;
    await put({ ...lastGood13, status: "delivered", total: "n/a" });
    await mapping.waitForIdle({ timeoutMs: 60_000 });

    // The poison change is dead-lettered by each processor; each index keeps order 13 as it was.
    expect(
      letters.map((l) => [
        l.processor,
        l.error.code,
        (l.record.dynamodb?.NewImage?.total as { S?: string } | undefined)?.S,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["opensearch", "DOCUMENT_REJECTED", "n/a"],
        ["embedded", "DOCUMENT_REJECTED", "n/a"],
      ]),
    );
    expect(letters).toHaveLength(2);
    expect(server.documents("orders").get("o-13")?.source).toEqual(orderDocument(lastGood13));
    expect(embedded.get("orders", "o-13")?.document).toEqual(orderDocument(lastGood13));

    // Phase 2: order 13 fixed and delivered, two more deleted, one new order.
    const fixed = { ...lastGood13, status: "delivered" as const };
    current.set(13, fixed);
    await put(fixed);
    for (const n of [0, 21]) {
      await remove(current.get(n)!);
      current.delete(n);
    }
    current.set(30, order(30));
    await put(order(30));
    await mapping.waitForIdle({ timeoutMs: 60_000 });

    // The faults did happen, and Lambda redelivered.
    expect(server.bulkCalls.some((call) => call.statuses.includes(429))).toBe(true);
    expect(server.bulkCalls.some((call) => call.statuses.includes(409))).toBe(true);
    const reported = mapping.invocations.filter(
      (i) => ((i.result as { batchItemFailures?: unknown[] })?.batchItemFailures ?? []).length > 0,
    );
    expect(reported.length).toBeGreaterThan(0);
    expect(mapping.invocations.some((i) => i.error !== undefined)).toBe(true);
    expect(mapping.destinationMessages).toEqual([]);

    // Ground truth: the table, and the version of each order's last change in the stream.
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table.tableName }));
    const orders = Items.map((item) => decodeImage<Order>(item)).filter((item) =>
      item.SK.startsWith("ORDER#"),
    );
    expect(orders.map((o) => o.orderId).sort()).toEqual(
      [...current.values()].map((o) => o.orderId).sort(),
    );
    const last = lastChanges(mapping.invocations.map((i) => i.event as DynamoDBStreamEvent));
    const expected = new Map(
      orders.map((item) => [
        item.orderId,
        { version: streamVersion(last.get(item.orderId)!), document: orderDocument(item) },
      ]),
    );

    const inOpenSearch = new Map(
      [...server.documents("orders")].map(([id, d]) => [
        id,
        { version: d.version, document: d.source },
      ]),
    );
    expect(inOpenSearch).toEqual(expected);
    expect(embedded.documents("orders")).toEqual(expected);
    for (const n of [0, 4, 17, 21, 22, 28]) {
      expect(server.entry("orders", `o-${n}`)?.source).toBeUndefined();
      expect(embedded.get("orders", `o-${n}`)?.document).toBeUndefined();
    }
    const shipped = await embedded.search("orders", {
      term: "",
      where: { status: { eq: "shipped" } },
      limit: 100,
    });
    expect(shipped.hits.map((h) => h.id).sort()).toEqual(
      [...current.values()]
        .filter((o) => o.status === "shipped")
        .map((o) => o.orderId)
        .sort(),
    );
  });
});
