import { describe, expect, it } from "vitest";
import { definePipeline, mappingSettings, PipelineDefinitionError } from "../src/index.js";

const queueArn = "arn:aws:sqs:us-east-1:123456789012:shop-dead-letters";

const definition = definePipeline({
  name: "shop",
  table: { name: "Orders", partitionKey: "PK", sortKey: "SK", stream: "NEW_AND_OLD_IMAGES" },
  subscribers: {
    audit: { handler: "src/audit.handler" },
    ttl: {
      handler: "src/ttl.handler",
      batchSize: 50,
      batchingWindowSeconds: 10,
      startingPosition: "LATEST",
      parallelizationFactor: 4,
      tumblingWindowSeconds: 60,
      filters: [{ userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] } }],
    },
    ledger: { handler: "src/ledger.handler", deadLetter: false, maximumRetryAttempts: -1 },
  },
});

describe("mappingSettings", () => {
  it("turns a default subscriber into Lambda's settings, reporting partial failures, with the queue on failure", () => {
    expect(mappingSettings(definition.subscribers.audit, queueArn)).toEqual({
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3_600,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    });
  });

  it("serializes filter patterns to JSON strings and carries every other setting", () => {
    expect(mappingSettings(definition.subscribers.ttl, queueArn)).toMatchObject({
      StartingPosition: "LATEST",
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 10,
      ParallelizationFactor: 4,
      TumblingWindowInSeconds: 60,
      FilterCriteria: {
        Filters: [
          {
            Pattern:
              '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}',
          },
        ],
      },
    });
  });

  it("leaves out the destination of a subscriber that opted out of dead letters", () => {
    const settings = mappingSettings(definition.subscribers.ledger);
    expect(settings.DestinationConfig).toBeUndefined();
    expect(settings.MaximumRetryAttempts).toBe(-1);
  });

  it("refuses a missing destination for a subscriber that dead-letters, and a destination for one that does not", () => {
    expect(() => mappingSettings(definition.subscribers.audit)).toThrow(PipelineDefinitionError);
    expect(() => mappingSettings(definition.subscribers.audit)).toThrow(
      /Subscriber "audit": .*queue's ARN/,
    );
    expect(() => mappingSettings(definition.subscribers.ledger, queueArn)).toThrow(
      /deadLetter: false/,
    );
  });
});
