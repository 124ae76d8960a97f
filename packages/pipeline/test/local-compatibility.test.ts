import { createEventSourceMapping, type MappingSettings } from "@sluice/local";
import { describe, expect, expectTypeOf, it } from "vitest";
import { definePipeline, type EventSourceMappingSettings, mappingSettings } from "../src/index.js";

// @sluice/pipeline must not depend on @sluice/local (sst.config.ts imports it); this test keeps
// the two shapes of the same settings in step.

describe("mapping settings and @sluice/local's event source mapping", () => {
  it("are the same shape: every pipeline setting is one the local mapping takes, with the same type", () => {
    expectTypeOf<EventSourceMappingSettings>().toExtend<MappingSettings>();
    expectTypeOf<keyof EventSourceMappingSettings>().toEqualTypeOf<keyof MappingSettings>();
  });

  it("are accepted by the local mapping, filters included", () => {
    const definition = definePipeline({
      name: "shop",
      table: { name: "Orders", partitionKey: "PK", stream: "NEW_AND_OLD_IMAGES" },
      subscribers: {
        ttl: {
          handler: "src/ttl.handler",
          tumblingWindowSeconds: 60,
          filters: [
            { userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] } },
          ],
        },
      },
    });
    const settings: MappingSettings = mappingSettings(
      definition.subscribers.ttl,
      "arn:aws:sqs:us-east-1:000000000000:dead-letters",
    );
    // Creating the mapping checks the settings and compiles the filters; starting it would poll.
    const mapping = createEventSourceMapping({
      ...settings,
      streamArn:
        "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2026-01-01T00:00:00.000",
      handler: async () => ({ batchItemFailures: [] }),
      clients: { streams: {} as never, sqs: {} as never },
    });
    expect(mapping.settings).toMatchObject({
      batchSize: 100,
      bisect: true,
      reportBatchItemFailures: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeMs: 3_600_000,
      tumblingWindowMs: 60_000,
      destination: "arn:aws:sqs:us-east-1:000000000000:dead-letters",
      filterPatterns: [
        '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}',
      ],
    });
  });
});
