// Contract tests: the real OpenSearch client against a local server that speaks OpenSearch's
// document write APIs and answers in its shapes (see search-index-contract-server.ts). No
// OpenSearch runs here; these prove what we send and how we read every answer OpenSearch gives.
import { createHash } from "node:crypto";
import type { Client } from "@opensearch-project/opensearch";
import { defaultClassifier } from "@sluice/runtime";
import { afterEach, describe, expect, it } from "vitest";
import {
  type OpenSearchClientOptions,
  openSearchClient,
  openSearchSink,
  searchIndex,
  streamVersion,
} from "../src/search-index/index.js";
import {
  type ContractServer,
  type ContractServerOptions,
  startContractServer,
} from "./search-index-contract-server.js";
import {
  changesOf,
  errorOf,
  noWait,
  type Order,
  order,
  orderChange,
  orderDocument,
  orderSearch,
  processContext,
} from "./search-index-fixtures.js";

const servers: ContractServer[] = [];
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: ContractServerOptions = {}) {
  const started = await startContractServer(options);
  servers.push(started);
  return started;
}

function client(options: OpenSearchClientOptions) {
  const created = openSearchClient(options);
  clients.push(created);
  return created;
}

function processor(
  target: ContractServer,
  options: {
    softDeleteField?: string;
    maxActions?: number;
    maxBytes?: number;
    auth?: OpenSearchClientOptions["auth"];
  } = {},
) {
  const sink = openSearchSink({
    client: client({ node: target.url, ...(options.auth ? { auth: options.auth } : {}) }),
    ...(options.maxActions ? { maxActions: options.maxActions } : {}),
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
  return searchIndex<Order>({
    ...orderSearch,
    sink,
    retry: { maxAttempts: 3, ...noWait },
    ...(options.softDeleteField ? { softDeleteField: options.softDeleteField } : {}),
  });
}

/** 100 changes over 50 orders: 50 inserts, 40 modifies, 10 removes; creation times one second apart. */
function shopBatch() {
  const inputs = [];
  for (let n = 0; n < 50; n++)
    inputs.push(orderChange(n, undefined, order(n), { createdAt: 1_796_120_000 }));
  for (let n = 0; n < 40; n++) {
    inputs.push(
      orderChange(50 + n, order(n), order(n, { status: "paid" }), { createdAt: 1_796_120_001 }),
    );
  }
  for (let n = 40; n < 50; n++)
    inputs.push(orderChange(50 + n, order(n), undefined, { createdAt: 1_796_120_002 }));
  return changesOf(inputs);
}

describe("openSearchSink against OpenSearch's HTTP contract", () => {
  it("sends one _bulk per batch: NDJSON, external versions as exact longs, deletes with their version", async () => {
    const target = await server();
    const events = shopBatch();
    const results = await processor(target).process(events, processContext());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(target.requests).toEqual(["POST /_bulk"]);
    const [call] = target.bulkCalls;
    expect(call!.headers["content-type"]).toBe("application/x-ndjson");
    const lines = call!.body.trimEnd().split("\n");
    // 40 modified orders (index: action and source lines), 10 removed (delete: no source line).
    expect(lines).toHaveLength(40 * 2 + 10);
    const o0 = streamVersion(events[50]!);
    expect(o0).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(lines[0]).toBe(
      `{"index":{"_index":"orders","_id":"o-0","version":${o0},"version_type":"external"}}`,
    );
    expect(JSON.parse(lines[1]!)).toEqual(orderDocument(order(0, { status: "paid" })));
    expect(lines.at(-1)).toBe(
      `{"delete":{"_index":"orders","_id":"o-49","version":${streamVersion(events[99]!)},"version_type":"external"}}`,
    );

    const stored = target.documents("orders");
    expect([...stored.keys()].sort()).toEqual(
      Array.from({ length: 40 }, (_, n) => `o-${n}`).sort(),
    );
    expect(stored.get("o-7")).toEqual({
      version: streamVersion(events[57]!),
      source: orderDocument(order(7, { status: "paid" })),
    });
    expect(target.entry("orders", "o-45")).toMatchObject({ version: streamVersion(events[95]!) });
  });

  it("splits a batch into calls by the sink's action and byte limits", async () => {
    const byActions = await server();
    await processor(byActions, { maxActions: 15 }).process(shopBatch(), processContext());
    expect(byActions.bulkCalls.map((c) => c.items.length)).toEqual([15, 15, 15, 5]);

    const byBytes = await server();
    await processor(byBytes, { maxBytes: 4_000 }).process(shopBatch(), processContext());
    expect(byBytes.bulkCalls.length).toBeGreaterThan(2);
    for (const call of byBytes.bulkCalls)
      expect(Buffer.byteLength(call.body)).toBeLessThanOrEqual(4_000);
    expect(byBytes.documents("orders").size).toBe(40);
  });

  it("sends again only the items OpenSearch refused with 429", async () => {
    const target = await server();
    target.faults = {
      item: (item, call) =>
        call.number === 1 && ["o-2", "o-5"].includes(item.id) ? 429 : undefined,
    };
    const results = await processor(target).process(shopBatch(), processContext());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(target.bulkCalls.map((c) => c.items.map((i) => i.id))).toEqual([
      target.bulkCalls[0]!.items.map((i) => i.id),
      ["o-2", "o-5"],
    ]);
    expect(target.documents("orders").get("o-5")?.source).toEqual(
      orderDocument(order(5, { status: "paid" })),
    );
  });

  it("counts a 409 version conflict as already newer: an older change or a whole redelivery changes nothing", async () => {
    const target = await server();
    const o1 = order(1);
    const [insert, pay] = changesOf([
      orderChange(0, undefined, o1),
      orderChange(1, o1, { ...o1, status: "paid" }),
    ]);
    await processor(target).process([pay!], processContext());
    const late = await processor(target).process([insert!], processContext());
    expect(late).toEqual([{ ok: true }]);
    expect(target.documents("orders").get("o-1")).toEqual({
      version: streamVersion(pay!),
      source: orderDocument({ ...o1, status: "paid" }),
    });

    const batch = shopBatch();
    await processor(target).process(batch, processContext());
    const before = structuredClone(target.documents("orders"));
    const again = await processor(target).process(batch, processContext());
    expect(again.every((r) => r.ok)).toBe(true);
    expect(new Set(target.bulkCalls.at(-1)!.statuses)).toEqual(new Set([409]));
    expect(target.documents("orders")).toEqual(before);
  });

  it("lets no older upsert win over a delete while OpenSearch keeps its version, and soft deletes keep it for good", async () => {
    let clock = 0;
    const o1 = order(1);
    const [insert, removal] = changesOf([
      orderChange(0, undefined, o1),
      orderChange(1, o1, undefined),
    ]);

    const hard = await server({ now: () => clock, gcDeletesMs: 60_000 });
    await processor(hard).process([removal!], processContext());
    expect(await processor(hard).process([insert!], processContext())).toEqual([{ ok: true }]);
    expect(hard.documents("orders").has("o-1")).toBe(false);
    // Past index.gc_deletes the delete's version is forgotten: the very late older upsert lands.
    clock += 60_000;
    await processor(hard).process([insert!], processContext());
    expect(hard.documents("orders").has("o-1")).toBe(true);

    const soft = await server({ now: () => clock, gcDeletesMs: 60_000 });
    await processor(soft, { softDeleteField: "deleted" }).process([removal!], processContext());
    clock += 3_600_000;
    await processor(soft, { softDeleteField: "deleted" }).process([insert!], processContext());
    expect(soft.documents("orders").get("o-1")).toEqual({
      version: streamVersion(removal!),
      source: { deleted: true },
    });
  });

  it("fails a document OpenSearch cannot map for good, with its id and OpenSearch's reason, and writes the rest", async () => {
    const target = await server({
      mappings: { orders: { total: "double", "shippingAddress.city": "keyword" } },
    });
    const events = changesOf([
      orderChange(0, undefined, order(1)),
      orderChange(1, undefined, { ...order(2), total: "n/a" } as unknown as Order),
      orderChange(2, undefined, order(3)),
    ]);
    const results = await processor(target).process(events, processContext());

    expect(results[0]).toEqual({ ok: true });
    expect(results[2]).toEqual({ ok: true });
    expect(errorOf(results[1]!)).toMatchObject({
      code: "DOCUMENT_REJECTED",
      documentId: "o-2",
      index: "orders",
      httpStatus: 400,
      eventId: "event-1",
      reason:
        "mapper_parsing_exception: failed to parse field [total] of type [double] in document with id 'o-2'. Preview of field's value: 'n/a'",
    });
    expect(defaultClassifier(errorOf(results[1]!))).toBe("permanent");
    expect(target.bulkCalls).toHaveLength(1);
    expect([...target.documents("orders").keys()]).toEqual(["o-1", "o-3"]);
  });

  it("sends a whole request again after a 503, and gives up with a transient error on one that stays 429", async () => {
    const flaky = await server();
    flaky.faults = { request: (call) => (call.number === 1 ? 503 : undefined) };
    expect((await processor(flaky).process(shopBatch(), processContext())).every((r) => r.ok)).toBe(
      true,
    );
    expect(flaky.bulkCalls.map((c) => c.items.length)).toEqual([50, 50]);
    expect(flaky.documents("orders").size).toBe(40);

    const throttled = await server();
    throttled.faults = { request: () => 429 };
    const [result] = await processor(throttled).process(
      changesOf([orderChange(0, undefined, order(1))]),
      processContext(),
    );
    expect(throttled.bulkCalls).toHaveLength(3);
    expect(errorOf(result!)).toMatchObject({ code: "WRITE_FAILED", httpStatus: 429 });
    expect(errorOf(result!).reason).toMatch(/es_rejected_execution_exception/);
    expect(defaultClassifier(errorOf(result!))).toBe("transient");
  });

  it("sends a bulk again when its response was lost, and reads the 409s of what had landed as written", async () => {
    const target = await server();
    target.faults = { request: (call) => (call.number === 1 ? "drop" : undefined) };
    const events = shopBatch();
    const results = await processor(target).process(events, processContext());

    expect(results.every((r) => r.ok)).toBe(true);
    expect(target.bulkCalls).toHaveLength(2);
    expect(new Set(target.bulkCalls[0]!.statuses)).toEqual(new Set([201, 404]));
    expect(new Set(target.bulkCalls[1]!.statuses)).toEqual(new Set([409]));
    expect(target.documents("orders").get("o-3")?.version).toBe(streamVersion(events[53]!));
  });

  it("signs requests with basic auth for a self-managed cluster", async () => {
    const target = await server({ basicAuth: { username: "indexer", password: "s3cret" } });
    const ok = await processor(target, {
      auth: { basic: { username: "indexer", password: "s3cret" } },
    }).process(changesOf([orderChange(0, undefined, order(1))]), processContext());
    expect(ok).toEqual([{ ok: true }]);

    const [refused] = await processor(target, {
      auth: { basic: { username: "indexer", password: "wrong" } },
    }).process(changesOf([orderChange(0, undefined, order(1))]), processContext());
    expect(errorOf(refused!)).toMatchObject({ code: "WRITE_FAILED", httpStatus: 401 });
  });

  it("signs requests with SigV4 for Amazon OpenSearch Service, with the credentials given", async () => {
    const target = await server();
    let asked = 0;
    const getCredentials = async () => {
      asked += 1;
      return {
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "secret",
        sessionToken: "session-token",
      };
    };
    const results = await processor(target, {
      auth: { sigv4: { region: "eu-west-1", getCredentials } },
    }).process(changesOf([orderChange(0, undefined, order(1))]), processContext());

    expect(results).toEqual([{ ok: true }]);
    expect(asked).toBe(1);
    const { headers, body } = target.bulkCalls[0]!;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers["x-amz-security-token"]).toBe("session-token");
    expect(headers["x-amz-content-sha256"]).toBe(createHash("sha256").update(body).digest("hex"));
  });
});
