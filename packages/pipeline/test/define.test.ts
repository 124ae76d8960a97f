import { describe, expect, it } from "vitest";
import type { SubscriberInput } from "../src/index.js";
import { definePipeline, PipelineDefinitionError, subscriberDefaults } from "../src/index.js";

const table = {
  name: "Orders",
  partitionKey: "PK",
  sortKey: "SK",
  stream: "NEW_AND_OLD_IMAGES",
} as const;

function withSubscriber(subscriber: Partial<SubscriberInput>) {
  return definePipeline({
    name: "shop",
    table,
    subscribers: { audit: { handler: "src/handlers/audit.handler", ...subscriber } },
  });
}

function errorOf(build: () => unknown): PipelineDefinitionError {
  try {
    build();
  } catch (error) {
    if (error instanceof PipelineDefinitionError) return error;
    throw error;
  }
  throw new Error("expected a PipelineDefinitionError");
}

describe("definePipeline", () => {
  it("fills every subscriber setting with sluice's defaults", () => {
    const { subscribers } = withSubscriber({});
    expect(subscribers.audit).toEqual({
      name: "audit",
      handler: {
        path: "src/handlers/audit.handler",
        module: "src/handlers/audit",
        exportName: "handler",
      },
      ...subscriberDefaults,
      filters: [],
      environment: {},
      needs: [],
    });
  });

  it("keeps the safe defaults that differ from Lambda's: a retry limit, an age limit, bisect, TRIM_HORIZON, a dead-letter queue", () => {
    const { audit } = withSubscriber({}).subscribers;
    expect(audit.maximumRetryAttempts).toBe(10);
    expect(audit.maximumRecordAgeSeconds).toBe(3_600);
    expect(audit.bisectOnError).toBe(true);
    expect(audit.startingPosition).toBe("TRIM_HORIZON");
    expect(audit.deadLetter).toBe("queue");
  });

  it("keeps given settings over defaults", () => {
    const { audit } = withSubscriber({
      batchSize: 500,
      batchingWindowSeconds: 5,
      startingPosition: "LATEST",
      ordering: "per-item",
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: -1,
      bisectOnError: false,
      parallelizationFactor: 10,
      tumblingWindowSeconds: 900,
      deadLetter: false,
      timeoutSeconds: 900,
      memoryMb: 10_240,
      environment: { MODE: "fast" },
      needs: ["checkpoints", "eventBus"],
      filters: [{ eventName: ["INSERT"] }],
    }).subscribers;
    expect(audit).toMatchObject({
      batchSize: 500,
      batchingWindowSeconds: 5,
      startingPosition: "LATEST",
      ordering: "per-item",
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: -1,
      bisectOnError: false,
      parallelizationFactor: 10,
      tumblingWindowSeconds: 900,
      deadLetter: false,
      timeoutSeconds: 900,
      memoryMb: 10_240,
      environment: { MODE: "fast" },
      needs: ["checkpoints", "eventBus"],
      filters: [{ eventName: ["INSERT"] }],
    });
  });

  it("normalizes key attributes given by name to string keys and keeps typed ones", () => {
    const definition = definePipeline({
      name: "shop",
      table: {
        name: "Orders",
        partitionKey: "PK",
        sortKey: { name: "version", type: "number" },
        stream: "NEW_IMAGE",
        ttlAttribute: "expiresAt",
      },
      subscribers: { audit: { handler: "src/audit.handler" } },
    });
    expect(definition.table).toEqual({
      name: "Orders",
      partitionKey: { name: "PK", type: "string" },
      sortKey: { name: "version", type: "number" },
      stream: "NEW_IMAGE",
      ttlAttribute: "expiresAt",
    });
  });

  it("returns a deeply frozen definition", () => {
    const definition = withSubscriber({ filters: [{ eventName: ["INSERT"] }] });
    expect(Object.isFrozen(definition)).toBe(true);
    expect(Object.isFrozen(definition.table.partitionKey)).toBe(true);
    expect(Object.isFrozen(definition.subscribers)).toBe(true);
    expect(Object.isFrozen(definition.subscribers.audit.filters[0])).toBe(true);
    expect(() => {
      (definition.subscribers.audit as { batchSize: number }).batchSize = 1;
    }).toThrow(TypeError);
  });

  it("types the subscribers by name", () => {
    const definition = definePipeline({
      name: "shop",
      table,
      subscribers: { audit: { handler: "a.handler" }, search: { handler: "b.handler" } },
    });
    const names: ("audit" | "search")[] = Object.keys(
      definition.subscribers,
    ) as (keyof typeof definition.subscribers)[];
    expect(names).toEqual(["audit", "search"]);
    // @ts-expect-error: no subscriber of that name
    expect(definition.subscribers.missing).toBeUndefined();
  });
});

describe("definePipeline refuses what Lambda would, naming the subscriber and the setting", () => {
  const cases: [string, Partial<SubscriberInput>, string, RegExp][] = [
    ["batchSize 0", { batchSize: 0 }, "batchSize", /from 1 to 10000 \(Lambda's BatchSize\); got 0/],
    ["batchSize 10001", { batchSize: 10_001 }, "batchSize", /got 10001/],
    ["a fractional batch size", { batchSize: 1.5 }, "batchSize", /integer/],
    ["a 301 s window", { batchingWindowSeconds: 301 }, "batchingWindowSeconds", /0 to 300/],
    [
      "AT_TIMESTAMP",
      { startingPosition: "AT_TIMESTAMP" as "LATEST" },
      "startingPosition",
      /"TRIM_HORIZON", "LATEST"/,
    ],
    ["an unknown ordering", { ordering: "fifo" as "strict" }, "ordering", /"strict", "per-item"/],
    [
      "-2 retries",
      { maximumRetryAttempts: -2 },
      "maximumRetryAttempts",
      /-1 or an integer from 0 to 10000/,
    ],
    ["10001 retries", { maximumRetryAttempts: 10_001 }, "maximumRetryAttempts", /got 10001/],
    [
      "a record age of 59 s",
      { maximumRecordAgeSeconds: 59 },
      "maximumRecordAgeSeconds",
      /-1 or an integer from 60 to 604800/,
    ],
    [
      "a record age over a week",
      { maximumRecordAgeSeconds: 604_801 },
      "maximumRecordAgeSeconds",
      /got 604801/,
    ],
    ["parallelization 0", { parallelizationFactor: 0 }, "parallelizationFactor", /1 to 10/],
    ["parallelization 11", { parallelizationFactor: 11 }, "parallelizationFactor", /got 11/],
    [
      "a 901 s tumbling window",
      { tumblingWindowSeconds: 901 },
      "tumblingWindowSeconds",
      /0 to 900/,
    ],
    ["a timeout over 15 minutes", { timeoutSeconds: 901 }, "timeoutSeconds", /1 to 900/],
    ["64 MB of memory", { memoryMb: 64 }, "memoryMb", /128 to 10240/],
    [
      "six filters",
      { filters: Array.from({ length: 6 }, () => ({ eventName: ["INSERT"] })) },
      "filters",
      /at most 5 patterns/,
    ],
    [
      "an empty filter",
      { filters: [{}] },
      "filters",
      /filters\[0\] must be a non-empty pattern object/,
    ],
    [
      "a filter given as a string",
      { filters: ['{"eventName":["INSERT"]}' as never] },
      "filters",
      /filters\[0\]/,
    ],
    [
      "a filter over 4096 characters",
      { filters: [{ eventName: ["x".repeat(4100)] }] },
      "filters",
      /at most 4096/,
    ],
    [
      "a dead letter target other than the queue",
      { deadLetter: "s3" as "queue" },
      "deadLetter",
      /"queue", false/,
    ],
    [
      "an unknown resource",
      { needs: ["database" as "checkpoints"] },
      "needs",
      /"checkpoints", "archiveBucket"/,
    ],
    ["a resource needed twice", { needs: ["eventBus", "eventBus"] }, "needs", /"eventBus" twice/],
    ["a reserved variable", { environment: { SLUICE_DLQ_URL: "x" } }, "environment", /reserved/],
    [
      "a variable Lambda refuses",
      { environment: { "1X": "x" } },
      "environment",
      /start with a letter/,
    ],
    [
      "a handler without an export",
      { handler: "src/handlers/audit" },
      "handler",
      /module path and an export/,
    ],
    [
      "a handler with an extension",
      { handler: "src/handlers/audit.ts.handler" },
      "handler",
      /"src\/handlers\/audit.handler"/,
    ],
    [
      "a handler outside the app",
      { handler: "../other/audit.handler" },
      "handler",
      /inside the app/,
    ],
  ];

  it.each(cases)("%s", (_, subscriber, setting, message) => {
    const error = errorOf(() => withSubscriber(subscriber));
    expect(error.subscriber).toBe("audit");
    expect(error.setting).toBe(setting);
    expect(error.message).toMatch(/^Subscriber "audit": /);
    expect(error.message).toMatch(message);
  });

  it("refuses pipeline and subscriber names that cannot be part of resource names", () => {
    expect(
      errorOf(() => definePipeline({ name: "Shop", table, subscribers: { a: { handler: "a.h" } } }))
        .setting,
    ).toBe("name");
    const error = errorOf(() =>
      definePipeline({ name: "shop", table, subscribers: { Daily_Sales: { handler: "a.h" } } }),
    );
    expect(error.subscriber).toBe("Daily_Sales");
    expect(error.message).toMatch(/lowercase letters, digits and hyphens/);
  });

  it("refuses a pipeline without subscribers", () => {
    expect(errorOf(() => definePipeline({ name: "shop", table, subscribers: {} })).setting).toBe(
      "subscribers",
    );
  });

  it("refuses table settings DynamoDB would refuse", () => {
    const define = (patch: object) =>
      errorOf(() =>
        definePipeline({
          name: "shop",
          table: { ...table, ...patch },
          subscribers: { a: { handler: "a.h" } },
        }),
      );
    expect(define({ stream: "NEW_AND_OLD" }).setting).toBe("table.stream");
    expect(define({ name: "ab" }).setting).toBe("table.name");
    expect(define({ sortKey: "PK" }).message).toMatch(/differ from the partition key "PK"/);
    expect(define({ partitionKey: { name: "PK", type: "boolean" } }).setting).toBe(
      "table.partitionKey.type",
    );
  });
});
