import * as pulumi from "@pulumi/pulumi";
import { definePipeline } from "@sluice/pipeline";
import { checkpointTableInput, checkpointTableTtlInput } from "@sluice/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { StreamPipeline, type StreamPipelineArgs, stageSettings } from "../src/index.js";
import { account, region } from "./support/fake-aws.js";
import { plainLambdaFunction } from "./support/lambda-function.js";
import {
  asList,
  mockPulumi,
  named,
  ofType,
  type RecordedResource,
  type Statement,
  statementsOf,
} from "./support/pulumi-mocks.js";

const mocks = await mockPulumi(pulumi.runtime);

const ttlOnly = { userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] } };
const definition = definePipeline({
  name: "shop",
  table: { name: "Orders", partitionKey: "PK", sortKey: "SK", stream: "NEW_AND_OLD_IMAGES" },
  subscribers: {
    sales: {
      handler: "src/sales.handler",
      needs: ["checkpoints", "aggregatesTable"],
      batchSize: 250,
      batchingWindowSeconds: 5,
      parallelizationFactor: 4,
      timeoutSeconds: 60,
      memoryMb: 1024,
    },
    audit: { handler: "src/audit.handler", needs: ["archiveBucket"], tumblingWindowSeconds: 60 },
    search: {
      handler: "src/search.handler",
      needs: ["searchDomain"],
      startingPosition: "LATEST",
      maximumRetryAttempts: 3,
      maximumRecordAgeSeconds: 600,
      bisectOnError: false,
    },
    expired: {
      handler: "src/expired.handler",
      needs: ["archiveBucket", "eventBus"],
      filters: [ttlOnly],
    },
    ledger: { handler: "src/ledger.handler", deadLetter: false, environment: { MODE: "strict" } },
  },
});

const streamArn = `arn:aws:dynamodb:${region}:${account}:table/Orders/stream/2026-01-01T00:00:00.000`;
const resources: StreamPipelineArgs["resources"] = {
  archiveBucket: { arn: "arn:aws:s3:::shop-archive", name: "shop-archive" },
  searchDomain: {
    url: "https://search-shop.example",
    credentialsSecretArn: `arn:aws:secretsmanager:${region}:${account}:secret:shop-search-1a2b3c`,
  },
  eventBus: { arn: `arn:aws:events:${region}:${account}:event-bus/shop`, name: "shop" },
  aggregatesTable: {
    arn: `arn:aws:dynamodb:${region}:${account}:table/DailySales`,
    name: "DailySales",
  },
};

let recorded: RecordedResource[];
beforeAll(async () => {
  new StreamPipeline("shop", {
    definition,
    stream: streamArn,
    stage: stageSettings("dev"),
    createFunction: plainLambdaFunction,
    resources,
  });
  recorded = await mocks.settled();
});

const mappingOf = (subscriber: string) =>
  named(recorded, "aws:lambda/eventSourceMapping:EventSourceMapping", `shop-${subscriber}-mapping`)
    .inputs;
const functionOf = (subscriber: string) =>
  named(recorded, "aws:lambda/function:Function", `shop-${subscriber}`).inputs;
const statementsFor = (subscriber: string): Statement[] =>
  statementsOf(
    named(recorded, "aws:iam/rolePolicy:RolePolicy", `shop-${subscriber}-policy`).inputs.policy,
  );
const queue = () => named(recorded, "aws:sqs/queue:Queue", "shop-dead-letters");
const queueArn = `arn:aws:sqs:${region}:${account}:shop-dead-letters-a1b2c3`;
const functionName = (subscriber: string) => `shop-${subscriber}-a1b2c3`;

describe("StreamPipeline: event source mappings", () => {
  it("creates one mapping per subscriber, from the table's stream to the subscriber's function", () => {
    const mappings = ofType(recorded, "aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(mappings.map((mapping) => mapping.name).sort()).toEqual(
      ["audit", "expired", "ledger", "sales", "search"].map((name) => `shop-${name}-mapping`),
    );
    for (const mapping of mappings) expect(mapping.inputs.eventSourceArn).toBe(streamArn);
    expect(mappingOf("sales").functionName).toBe(
      `arn:aws:lambda:${region}:${account}:function:${functionName("sales")}`,
    );
  });

  it("sets sluice's safe defaults: partial batch responses, bisect, retry and age limits, TRIM_HORIZON", () => {
    expect(mappingOf("audit")).toMatchObject({
      functionResponseTypes: ["ReportBatchItemFailures"],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 10,
      maximumRecordAgeInSeconds: 3600,
      startingPosition: "TRIM_HORIZON",
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      parallelizationFactor: 1,
      tumblingWindowInSeconds: 60,
    });
  });

  it("carries each subscriber's own settings", () => {
    expect(mappingOf("sales")).toMatchObject({
      batchSize: 250,
      maximumBatchingWindowInSeconds: 5,
      parallelizationFactor: 4,
    });
    expect(mappingOf("sales").tumblingWindowInSeconds).toBeUndefined();
    expect(mappingOf("search")).toMatchObject({
      startingPosition: "LATEST",
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 600,
      bisectBatchOnFunctionError: false,
    });
  });

  it("passes filter patterns as Lambda's FilterCriteria JSON strings", () => {
    expect(mappingOf("expired").filterCriteria).toEqual({
      filters: [{ pattern: JSON.stringify(ttlOnly) }],
    });
    expect(mappingOf("audit").filterCriteria).toBeUndefined();
  });
});

describe("StreamPipeline: the dead-letter queue", () => {
  it("is encrypted (SSE-SQS) and keeps messages 14 days", () => {
    expect(queue().inputs).toMatchObject({
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1_209_600,
    });
    expect(ofType(recorded, "aws:sqs/queue:Queue")).toHaveLength(1);
  });

  it("is every dead-lettering mapping's on-failure destination, and its role may send to it", () => {
    for (const subscriber of ["sales", "audit", "search", "expired"]) {
      expect(mappingOf(subscriber).destinationConfig).toEqual({
        onFailure: { destinationArn: queueArn },
      });
      expect(statementsFor(subscriber)).toContainEqual({
        Sid: "SendDeadLetters",
        Effect: "Allow",
        Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"],
        Resource: [queueArn],
      });
    }
  });

  it("is the router target the handler finds in SLUICE_DLQ_URL", () => {
    expect(functionOf("audit").environment.variables.SLUICE_DLQ_URL).toBe(
      `https://sqs.${region}.amazonaws.com/${account}/shop-dead-letters-a1b2c3`,
    );
  });

  it("is left out for a subscriber with deadLetter: false: no destination, no permission, no URL", () => {
    expect(mappingOf("ledger").destinationConfig).toBeUndefined();
    expect(statementsFor("ledger").map((statement) => statement.Sid)).toEqual([
      "ReadStream",
      "WriteLogs",
    ]);
    expect(functionOf("ledger").environment.variables.SLUICE_DLQ_URL).toBeUndefined();
  });
});

describe("StreamPipeline: the checkpoint table", () => {
  it("is the table @sluice/runtime's checkpoint store expects: string id, on demand, TTL on expiresAt", () => {
    const table = named(recorded, "aws:dynamodb/table:Table", "shop-checkpoints").inputs;
    const expected = checkpointTableInput("checkpoints");
    expect(table.hashKey).toBe(expected.KeySchema?.[0]?.AttributeName);
    expect(table.attributes).toEqual(
      expected.AttributeDefinitions?.map((attribute) => ({
        name: attribute.AttributeName,
        type: attribute.AttributeType,
      })),
    );
    expect(table.billingMode).toBe(expected.BillingMode);
    const ttl = checkpointTableTtlInput("checkpoints").TimeToLiveSpecification;
    expect(table.ttl).toEqual({ attributeName: ttl?.AttributeName, enabled: ttl?.Enabled });
  });

  it("is readable and writable by the subscribers that need checkpoints, and only by them", () => {
    const tableArn = `arn:aws:dynamodb:${region}:${account}:table/shop-checkpoints-a1b2c3`;
    expect(statementsFor("sales")).toContainEqual({
      Sid: "Checkpoints",
      Effect: "Allow",
      Action: ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
      Resource: [tableArn],
    });
    expect(functionOf("sales").environment.variables.SLUICE_CHECKPOINT_TABLE).toBe(
      "shop-checkpoints-a1b2c3",
    );
    expect(statementsFor("audit").some((statement) => statement.Sid === "Checkpoints")).toBe(false);
  });
});

describe("StreamPipeline: alarms", () => {
  const alarm = (name: string) =>
    named(recorded, "aws:cloudwatch/metricAlarm:MetricAlarm", name).inputs;

  it("watches every function's IteratorAge and Errors", () => {
    for (const subscriber of ["sales", "audit", "search", "expired", "ledger"]) {
      expect(alarm(`shop-${subscriber}-iterator-age`)).toMatchObject({
        namespace: "AWS/Lambda",
        metricName: "IteratorAge",
        dimensions: { FunctionName: functionName(subscriber) },
        statistic: "Maximum",
        threshold: 300_000,
        comparisonOperator: "GreaterThanThreshold",
      });
      expect(alarm(`shop-${subscriber}-errors`)).toMatchObject({
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: functionName(subscriber) },
        statistic: "Sum",
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
  });

  it("watches the dead-letter queue's depth", () => {
    expect(alarm("shop-dead-letters-depth")).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "shop-dead-letters-a1b2c3" },
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("has no actions without an alarm topic", () => {
    for (const metricAlarm of ofType(recorded, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      expect(metricAlarm.inputs.alarmActions).toEqual([]);
      expect(metricAlarm.inputs.actionsEnabled).toBe(false);
    }
  });
});

describe("StreamPipeline: least-privilege IAM", () => {
  const policies = () => ofType(recorded, "aws:iam/rolePolicy:RolePolicy");

  it("names an exact ARN in every statement: no wildcard resource, no wildcard action", () => {
    expect(policies()).toHaveLength(5);
    for (const policy of policies()) {
      for (const statement of statementsOf(policy.inputs.policy)) {
        expect(statement.Effect).toBe("Allow");
        for (const resource of asList(statement.Resource)) {
          expect(resource).toMatch(/^arn:aws:[a-z0-9-]+:/);
          expect(resource.replace(/\/\*$|:\*$/, "")).not.toContain("*");
        }
        for (const action of asList(statement.Action)) expect(action).not.toContain("*");
      }
    }
  });

  it("lets each role read exactly this stream and write exactly its own log group", () => {
    for (const subscriber of ["sales", "ledger"]) {
      const [stream, logs] = statementsFor(subscriber);
      expect(stream).toEqual({
        Sid: "ReadStream",
        Effect: "Allow",
        Action: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        Resource: [streamArn],
      });
      expect(logs?.Resource).toEqual([
        `arn:aws:logs:${region}:${account}:log-group:/sluice/dev/shop/${subscriber}-a1b2c3:*`,
      ]);
    }
  });

  it("grants each subscriber its needs and nothing else", () => {
    const sids = (subscriber: string) =>
      statementsFor(subscriber).map((statement) => statement.Sid);
    expect(sids("sales")).toEqual([
      "ReadStream",
      "WriteLogs",
      "SendDeadLetters",
      "Checkpoints",
      "Aggregates",
    ]);
    expect(sids("audit")).toEqual(["ReadStream", "WriteLogs", "SendDeadLetters", "ArchiveObjects"]);
    expect(sids("search")).toEqual([
      "ReadStream",
      "WriteLogs",
      "SendDeadLetters",
      "SearchCredentials",
    ]);
    expect(sids("expired")).toEqual([
      "ReadStream",
      "WriteLogs",
      "SendDeadLetters",
      "ArchiveObjects",
      "PublishEvents",
    ]);
    expect(statementsFor("audit")).toContainEqual({
      Sid: "ArchiveObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: ["arn:aws:s3:::shop-archive/*"],
    });
    expect(statementsFor("sales")).toContainEqual({
      Sid: "Aggregates",
      Effect: "Allow",
      Action: ["dynamodb:UpdateItem"],
      Resource: [resources?.aggregatesTable?.arn],
    });
    expect(statementsFor("search")).toContainEqual({
      Sid: "SearchCredentials",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [resources?.searchDomain?.credentialsSecretArn],
    });
    expect(statementsFor("expired")).toContainEqual({
      Sid: "PublishEvents",
      Effect: "Allow",
      Action: ["events:PutEvents"],
      Resource: [resources?.eventBus?.arn],
    });
  });

  it("gives every function a role only Lambda can assume", () => {
    for (const role of ofType(recorded, "aws:iam/role:Role")) {
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ]);
    }
  });
});

describe("StreamPipeline: functions", () => {
  it("asks the function factory for each handler with its role, log group, limits and environment", () => {
    expect(functionOf("sales")).toMatchObject({
      handler: "src/sales.handler",
      role: `arn:aws:iam::${account}:role/shop-sales-role-a1b2c3`,
      timeout: 60,
      memorySize: 1024,
      loggingConfig: { logGroup: "/sluice/dev/shop/sales-a1b2c3" },
    });
    expect(functionOf("expired").environment.variables).toEqual({
      SLUICE_PIPELINE: "shop",
      SLUICE_SUBSCRIBER: "expired",
      SLUICE_DLQ_URL: `https://sqs.${region}.amazonaws.com/${account}/shop-dead-letters-a1b2c3`,
      SLUICE_ARCHIVE_BUCKET: "shop-archive",
      SLUICE_EVENT_BUS: "shop",
    });
    expect(functionOf("search").environment.variables).toMatchObject({
      SLUICE_SEARCH_URL: "https://search-shop.example",
      SLUICE_SEARCH_SECRET_ARN: resources?.searchDomain?.credentialsSecretArn,
    });
    expect(functionOf("ledger").environment.variables.MODE).toBe("strict");
  });

  it("keeps each function's logs in its own log group for the stage's retention", () => {
    const group = named(recorded, "aws:cloudwatch/logGroup:LogGroup", "shop-audit-logs").inputs;
    expect(group).toEqual({ namePrefix: "/sluice/dev/shop/audit-", retentionInDays: 7 });
  });
});

describe("StreamPipeline: arguments", () => {
  it("refuses a subscriber's need that was not passed, saying which argument to pass", () => {
    expect(
      () =>
        new StreamPipeline("missing", {
          definition,
          stream: streamArn,
          stage: stageSettings("dev"),
          createFunction: plainLambdaFunction,
          resources: { ...resources, eventBus: undefined },
        }),
    ).toThrow('Subscriber "expired" needs eventBus: pass resources.eventBus to StreamPipeline');
  });

  it("takes the stream of a table component such as sst.aws.Dynamo", async () => {
    const small = definePipeline({
      name: "small",
      table: definition.table,
      subscribers: { only: { handler: "src/only.handler" } },
    });
    const table = { nodes: { table: { streamArn: pulumi.output(`${streamArn}-of-component`) } } };
    new StreamPipeline("small", {
      definition: small,
      stream: table,
      stage: stageSettings("dev"),
      createFunction: plainLambdaFunction,
    });
    const all = await mocks.settled();
    const mapping = named(
      all,
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      "small-only-mapping",
    );
    expect(mapping.inputs.eventSourceArn).toBe(`${streamArn}-of-component`);
    expect(ofType(all, "aws:dynamodb/table:Table").map((table) => table.name)).not.toContain(
      "small-checkpoints",
    );
  });
});
