import * as pulumi from "@pulumi/pulumi";
import { definePipeline } from "@sluice/pipeline";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ArchiveBucket,
  alarmTopic,
  type StageSettings,
  StreamPipeline,
  stageSettings,
} from "../src/index.js";
import { plainLambdaFunction } from "./support/lambda-function.js";
import { mockPulumi, named, ofType, type RecordedResource } from "./support/pulumi-mocks.js";

const mocks = await mockPulumi(pulumi.runtime);

const definition = definePipeline({
  name: "shop",
  table: { name: "Orders", partitionKey: "PK", stream: "NEW_AND_OLD_IMAGES" },
  subscribers: { sales: { handler: "src/sales.handler", needs: ["checkpoints"] } },
});

/** retainOnDelete of every resource, read from its options as Pulumi applies them. */
const retained = new Map<string, boolean | undefined>();
const recordRetention: pulumi.ResourceTransformation = (args) => {
  retained.set(args.name, args.opts.retainOnDelete);
  return undefined;
};

function deploy(stage: StageSettings) {
  const opts = { transformations: [recordRetention] };
  const topic = stage.alarmTopic ? alarmTopic(`${stage.stage}-alarms`, {}) : undefined;
  new StreamPipeline(
    stage.stage,
    {
      definition,
      stream: "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
      stage,
      createFunction: plainLambdaFunction,
      ...(topic && { alarmTopicArn: topic.arn }),
    },
    opts,
  );
  new ArchiveBucket(`${stage.stage}-archive`, { stage }, opts);
}

let recorded: RecordedResource[];
beforeAll(async () => {
  deploy(stageSettings("dev"));
  deploy(stageSettings("production"));
  recorded = await mocks.settled();
});

const inputs = (type: string, name: string) => named(recorded, type, name).inputs;

describe("stageSettings", () => {
  it("makes production retained, alarmed to a topic, locked and larger; every other stage removable and cheap", () => {
    expect(stageSettings("production")).toEqual({
      stage: "production",
      retain: true,
      alarmTopic: true,
      logRetentionDays: 90,
      archiveLockDays: 365,
      search: { instance: "m7g.large", storageGb: 50 },
    });
    for (const stage of ["dev", "staging", "pr-42"]) {
      expect(stageSettings(stage)).toEqual({
        stage,
        retain: false,
        alarmTopic: false,
        logRetentionDays: 7,
        archiveLockDays: 0,
        search: { instance: "t3.small", storageGb: 10 },
      });
    }
  });

  it("refuses a stage name that cannot be part of resource names", () => {
    expect(() => stageSettings("my stage")).toThrow(/--stage dev, staging or production/);
  });
});

describe("differences between stages", () => {
  it("production keeps its tables, queue and bucket when removed; dev does not", () => {
    for (const name of [
      "production-checkpoints",
      "production-dead-letters",
      "production-archive-bucket",
    ]) {
      expect(retained.get(name), name).toBe(true);
    }
    for (const name of ["dev-checkpoints", "dev-dead-letters", "dev-archive-bucket"]) {
      expect(retained.get(name), name).toBe(false);
    }
  });

  it("production protects the checkpoint table from deletion and never force-destroys its archive", () => {
    expect(
      inputs("aws:dynamodb/table:Table", "production-checkpoints").deletionProtectionEnabled,
    ).toBe(true);
    expect(inputs("aws:dynamodb/table:Table", "dev-checkpoints").deletionProtectionEnabled).toBe(
      false,
    );
    expect(inputs("aws:s3/bucket:Bucket", "production-archive-bucket").forceDestroy).toBe(false);
    expect(inputs("aws:s3/bucket:Bucket", "dev-archive-bucket").forceDestroy).toBe(true);
  });

  it("production sends every alarm to its topic; dev's alarms have no actions", () => {
    const topicArn = "arn:aws:sns:us-east-1:123456789012:production-alarms-a1b2c3";
    const alarms = ofType(recorded, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const production = alarms.filter((alarm) => alarm.name.startsWith("production-"));
    const dev = alarms.filter((alarm) => alarm.name.startsWith("dev-"));
    expect(production).toHaveLength(3);
    for (const alarm of production) {
      expect(alarm.inputs).toMatchObject({
        alarmActions: [topicArn],
        okActions: [topicArn],
        actionsEnabled: true,
      });
    }
    expect(dev).toHaveLength(3);
    for (const alarm of dev) expect(alarm.inputs.actionsEnabled).toBe(false);
    expect(ofType(recorded, "aws:sns/topic:Topic").map((topic) => topic.name)).toEqual([
      "production-alarms",
    ]);
  });

  it("production keeps logs 90 days and locks its archive for a year; dev keeps logs a week, unlocked", () => {
    expect(
      inputs("aws:cloudwatch/logGroup:LogGroup", "production-sales-logs").retentionInDays,
    ).toBe(90);
    expect(inputs("aws:cloudwatch/logGroup:LogGroup", "dev-sales-logs").retentionInDays).toBe(7);
    expect(
      inputs(
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "production-archive-object-lock",
      ).rule.defaultRetention,
    ).toEqual({ mode: "GOVERNANCE", days: 365 });
    expect(inputs("aws:s3/bucket:Bucket", "dev-archive-bucket").objectLockEnabled).toBe(false);
  });
});
