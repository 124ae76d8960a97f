import { shop } from "@sluice/example-shop/pipeline";
import { aggregateTableInput } from "@sluice/processors";
import { beforeAll, describe, expect, it } from "vitest";
import {
  asList,
  named,
  ofType,
  type RecordedResource,
  type Statement,
  statementsOf,
} from "./pulumi-mocks.js";
import { type DeployedStack, deployStage } from "./sst-stack.js";

/** What a stage must look like, written out per stage file rather than derived from the code. */
export interface StageExpectations {
  retained: boolean;
  protect: boolean;
  alarmTopic: boolean;
  archiveLockDays: number;
  logRetentionDays: number;
  searchInstance: string;
  searchStorageGb: number;
}

const subscribers = Object.values(shop.subscribers);

/** Every resource sst.config.ts creates for a stage, as "type name". */
function expectedInventory(stage: StageExpectations): string[] {
  const perSubscriber = subscribers.flatMap(({ name }) => [
    `sst:aws:Function Shop-${name}`,
    `aws:iam/role:Role Shop-${name}-role`,
    `aws:iam/rolePolicy:RolePolicy Shop-${name}-policy`,
    `aws:cloudwatch/logGroup:LogGroup Shop-${name}-logs`,
    `aws:s3/bucketObjectv2:BucketObjectv2 Shop-${name}Code`,
    `aws:lambda/function:Function Shop-${name}Function`,
    `aws:lambda/eventSourceMapping:EventSourceMapping Shop-${name}-mapping`,
    `aws:cloudwatch/metricAlarm:MetricAlarm Shop-${name}-iterator-age`,
    `aws:cloudwatch/metricAlarm:MetricAlarm Shop-${name}-errors`,
  ]);
  return [
    "pulumi:pulumi:Stack sluice-shop-stack",
    // The source table and the aggregates table.
    "sst:aws:Dynamo Orders",
    "aws:dynamodb/table:Table OrdersTable",
    "sst:sst:LinkRef OrdersLinkRef",
    "sst:aws:Dynamo DailySales",
    "aws:dynamodb/table:Table DailySalesTable",
    "sst:sst:LinkRef DailySalesLinkRef",
    // The archive bucket.
    "sluice:aws:ArchiveBucket Archive",
    "aws:s3/bucket:Bucket Archive-bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock Archive-public-access",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls Archive-ownership",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration Archive-encryption",
    "aws:s3/bucketPolicy:BucketPolicy Archive-policy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration Archive-lifecycle",
    ...(stage.archiveLockDays > 0
      ? [
          "aws:s3/bucketVersioning:BucketVersioning Archive-versioning",
          "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration Archive-object-lock",
        ]
      : []),
    // The search domain.
    "sst:aws:OpenSearch Search",
    "random:index/randomPassword:RandomPassword SearchPassword",
    "aws:secretsmanager/secret:Secret SearchSecret",
    "aws:secretsmanager/secretVersion:SecretVersion SearchSecretVersion",
    "aws:opensearch/domain:Domain SearchDomain",
    "aws:opensearch/domainPolicy:DomainPolicy SearchDomainPolicy",
    "sst:sst:LinkRef SearchLinkRef",
    // The event bus and the downstream reaction to OrderShipped.
    "sst:aws:Bus Events",
    "aws:cloudwatch/eventBus:EventBus EventsBus",
    "sst:sst:LinkRef EventsLinkRef",
    "sst:aws:Queue OrderShipped",
    "aws:sqs/queue:Queue OrderShippedQueue",
    "sst:sst:LinkRef OrderShippedLinkRef",
    "sst:aws:BusQueueSubscriber EventsSubscriberOrderShipped",
    "aws:cloudwatch/eventRule:EventRule EventsSubscriberOrderShippedRule",
    "aws:cloudwatch/eventTarget:EventTarget EventsSubscriberOrderShippedTarget",
    "aws:sqs/queuePolicy:QueuePolicy EventsSubscriberOrderShippedPolicy",
    // The pipeline.
    "sluice:aws:StreamPipeline Shop",
    "aws:sqs/queue:Queue Shop-dead-letters",
    "aws:cloudwatch/metricAlarm:MetricAlarm Shop-dead-letters-depth",
    "aws:dynamodb/table:Table Shop-checkpoints",
    "random:index/randomBytes:RandomBytes LambdaEncryptionKey",
    ...perSubscriber,
    ...(stage.alarmTopic ? ["aws:sns/topic:Topic Alarms"] : []),
  ].sort();
}

/**
 * The whole-stack tests of one stage: sst.config.ts's run() under Pulumi's mocks, with SST's
 * components, globals and removal policy, and every resource it records checked.
 */
export function describeDeployedStack(stage: string, expected: StageExpectations): void {
  let stack: DeployedStack;
  beforeAll(async () => {
    stack = await deployStage(stage);
  });

  const created = () => stack.resources.filter((resource) => !resource.read);
  const one = (type: string, name: string) => named(created(), type, name).inputs;
  const functionOf = (subscriber: string) =>
    one("aws:lambda/function:Function", `Shop-${subscriber}Function`);
  const roleArnOf = (subscriber: string) =>
    `arn:aws:iam::123456789012:role/Shop-${subscriber}-role-a1b2c3`;
  const ordersStreamArn = () => {
    const table = one("aws:dynamodb/table:Table", "OrdersTable");
    return `arn:aws:dynamodb:us-east-1:123456789012:table/${table.name}/stream/2026-01-01T00:00:00.000`;
  };
  const deadLetterQueueArn = "arn:aws:sqs:us-east-1:123456789012:Shop-dead-letters-a1b2c3";

  describe(`sst.config.ts, stage ${stage}: inventory`, () => {
    it("creates exactly the expected resources, each once", () => {
      const inventory = created()
        .map((resource) =>
          resource.type === "pulumi:pulumi:Stack"
            ? `${resource.type} sluice-shop-stack`
            : `${resource.type} ${resource.name}`,
        )
        .sort();
      expect(inventory).toEqual(expectedInventory(expected));
    });

    it("looks up only the pipeline's own roles, which SST's functions then use", () => {
      const reads = stack.resources.filter((resource) => resource.read);
      expect(reads.map((resource) => `${resource.type} ${resource.name}`).sort()).toEqual(
        subscribers.map(({ name }) => `aws:iam/role:Role Shop-${name}Role`).sort(),
      );
    });
  });

  describe(`sst.config.ts, stage ${stage}: functions`, () => {
    it("has SST build every subscriber's handler for nodejs24.x", () => {
      expect(stack.builds.map((build) => [build.handler, build.runtime]).sort()).toEqual(
        subscribers.map((subscriber) => [subscriber.handler.path, "nodejs24.x"]).sort(),
      );
    });

    it.each(subscribers.map((subscriber) => [subscriber.name, subscriber]))(
      "runs %s on nodejs24.x with the pipeline's role, log group, limits and environment",
      (name, subscriber) => {
        const fn = functionOf(name);
        expect(fn).toMatchObject({
          runtime: "nodejs24.x",
          handler: subscriber.handler.path,
          role: roleArnOf(name),
          timeout: subscriber.timeoutSeconds,
          memorySize: subscriber.memoryMb,
          loggingConfig: { logFormat: "JSON", logGroup: `/sluice/${stage}/shop/${name}-a1b2c3` },
        });
        expect(fn.environment.variables).toMatchObject({
          SLUICE_PIPELINE: "shop",
          SLUICE_SUBSCRIBER: name,
          SLUICE_DLQ_URL:
            "https://sqs.us-east-1.amazonaws.com/123456789012/Shop-dead-letters-a1b2c3",
        });
        expect(one("aws:cloudwatch/logGroup:LogGroup", `Shop-${name}-logs`).retentionInDays).toBe(
          expected.logRetentionDays,
        );
      },
    );

    it("tells each handler where the resources it needs are", () => {
      expect(functionOf("daily-sales").environment.variables).toMatchObject({
        SLUICE_CHECKPOINT_TABLE: "Shop-checkpoints-a1b2c3",
        SLUICE_AGGREGATES_TABLE: one("aws:dynamodb/table:Table", "DailySalesTable").name,
      });
      const domain = one("aws:opensearch/domain:Domain", "SearchDomain");
      const secret = one("aws:secretsmanager/secret:Secret", "SearchSecret");
      expect(functionOf("order-search").environment.variables).toMatchObject({
        SLUICE_SEARCH_URL: `https://search-${domain.domainName}.us-east-1.es.amazonaws.com`,
        SLUICE_SEARCH_SECRET_ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secret.name}`,
      });
      expect(functionOf("ttl-archive").environment.variables).toMatchObject({
        SLUICE_ARCHIVE_BUCKET: "Archive-bucket-a1b2c3",
        SLUICE_EVENT_BUS: one("aws:cloudwatch/eventBus:EventBus", "EventsBus").name,
      });
    });
  });

  describe(`sst.config.ts, stage ${stage}: event source mappings`, () => {
    it.each(subscribers.map((subscriber) => [subscriber.name, subscriber]))(
      "maps the Orders stream to %s with partial batch responses, bisect, limits and the dead-letter queue",
      (name, subscriber) => {
        const mapping = one(
          "aws:lambda/eventSourceMapping:EventSourceMapping",
          `Shop-${name}-mapping`,
        );
        expect(mapping).toMatchObject({
          eventSourceArn: ordersStreamArn(),
          functionName: `arn:aws:lambda:us-east-1:123456789012:function:${functionOf(name).name}`,
          functionResponseTypes: ["ReportBatchItemFailures"],
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: 10,
          maximumRecordAgeInSeconds: 3600,
          parallelizationFactor: 1,
          startingPosition: "TRIM_HORIZON",
          batchSize: subscriber.batchSize,
          maximumBatchingWindowInSeconds: subscriber.batchingWindowSeconds,
          destinationConfig: { onFailure: { destinationArn: deadLetterQueueArn } },
        });
      },
    );

    it("sends ttl-archive only TTL deletions and the order subscribers only orders", () => {
      const patterns = (name: string) =>
        one("aws:lambda/eventSourceMapping:EventSourceMapping", `Shop-${name}-mapping`)
          .filterCriteria?.filters;
      expect(patterns("ttl-archive")).toEqual([
        {
          pattern: '{"userIdentity":{"type":["Service"],"principalId":["dynamodb.amazonaws.com"]}}',
        },
      ]);
      for (const name of ["daily-sales", "order-search", "order-events"]) {
        expect(patterns(name)).toEqual([
          { pattern: '{"dynamodb":{"Keys":{"SK":{"S":[{"prefix":"ORDER#"}]}}}}' },
        ]);
      }
      expect(patterns("audit")).toBeUndefined();
    });

    it("keys the DailySales table the way the aggregate processor writes it", () => {
      const expected = aggregateTableInput("DailySales");
      const table = one("aws:dynamodb/table:Table", "DailySalesTable");
      expect([table.hashKey, table.rangeKey]).toEqual(
        expected.KeySchema?.map((key) => key.AttributeName),
      );
      expect(table.attributes).toEqual(
        expected.AttributeDefinitions?.map((attribute) => ({
          name: attribute.AttributeName,
          type: attribute.AttributeType,
        })),
      );
    });

    it("reads a table whose stream has both images and whose TTL is expiresAt", () => {
      expect(one("aws:dynamodb/table:Table", "OrdersTable")).toMatchObject({
        hashKey: "PK",
        rangeKey: "SK",
        streamEnabled: true,
        streamViewType: "NEW_AND_OLD_IMAGES",
        ttl: { attributeName: "expiresAt", enabled: true },
        billingMode: "PAY_PER_REQUEST",
      });
    });
  });

  describe(`sst.config.ts, stage ${stage}: IAM`, () => {
    const policies = () => ofType(created(), "aws:iam/rolePolicy:RolePolicy");

    it("creates no role but the pipeline's, and attaches no managed policy (SST's logging one is all logs)", () => {
      const roles = ofType(created(), "aws:iam/role:Role");
      expect(roles.map((role) => role.name).sort()).toEqual(
        subscribers.map(({ name }) => `Shop-${name}-role`).sort(),
      );
      for (const role of roles) expect(role.inputs.managedPolicyArns).toBeUndefined();
    });

    it("names an exact ARN in every statement of every role", () => {
      expect(policies()).toHaveLength(subscribers.length);
      for (const policy of policies()) {
        for (const statement of statementsOf(policy.inputs.policy)) {
          for (const resource of asList(statement.Resource)) {
            expect(resource, policy.name).toMatch(/^arn:aws:[a-z0-9-]+:/);
            expect(resource.replace(/\/\*$|:\*$/, ""), policy.name).not.toContain("*");
          }
          for (const action of asList(statement.Action))
            expect(action, policy.name).not.toContain("*");
        }
      }
    });

    it("lets every function read exactly the Orders stream and send to exactly the dead-letter queue", () => {
      for (const policy of policies()) {
        const statements = statementsOf(policy.inputs.policy);
        const sid = (id: string) =>
          statements.find((statement) => statement.Sid === id) as Statement;
        expect(sid("ReadStream").Resource).toEqual([ordersStreamArn()]);
        expect(sid("SendDeadLetters").Resource).toEqual([deadLetterQueueArn]);
      }
    });

    it("grants each handler exactly what its processors call, besides the stream, logs and dead letters", () => {
      const everyFunction = new Set(["ReadStream", "WriteLogs", "SendDeadLetters"]);
      const grants = (subscriber: string) =>
        statementsOf(one("aws:iam/rolePolicy:RolePolicy", `Shop-${subscriber}-policy`).policy)
          .filter(({ Sid }) => !everyFunction.has(Sid ?? ""))
          .map(({ Sid, Action, Resource }) => ({ Sid, Action, Resource }));
      const tableArn = (name: string) =>
        `arn:aws:dynamodb:us-east-1:123456789012:table/${one("aws:dynamodb/table:Table", name).name}`;
      const checkpoints = {
        Sid: "Checkpoints",
        Action: ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
        Resource: ["arn:aws:dynamodb:us-east-1:123456789012:table/Shop-checkpoints-a1b2c3"],
      };
      const archive = {
        Sid: "ArchiveObjects",
        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: ["arn:aws:s3:::Archive-bucket-a1b2c3/*"],
      };
      const bus = one("aws:cloudwatch/eventBus:EventBus", "EventsBus");
      const publish = {
        Sid: "PublishEvents",
        Action: ["events:PutEvents"],
        Resource: [`arn:aws:events:us-east-1:123456789012:event-bus/${bus.name}`],
      };
      const secret = one("aws:secretsmanager/secret:Secret", "SearchSecret");

      expect(grants("daily-sales")).toEqual([
        checkpoints,
        // Update actions of the checkpoints' transaction: the aggregate only ADDs.
        {
          Sid: "Aggregates",
          Action: ["dynamodb:UpdateItem"],
          Resource: [tableArn("DailySalesTable")],
        },
      ]);
      expect(grants("audit")).toEqual([archive]);
      // The sink signs in as the master user: the role reads the secret and sends no signed request.
      expect(grants("order-search")).toEqual([
        {
          Sid: "SearchCredentials",
          Action: ["secretsmanager:GetSecretValue"],
          Resource: [`arn:aws:secretsmanager:us-east-1:123456789012:secret:${secret.name}`],
        },
      ]);
      expect(grants("ttl-archive")).toEqual([archive, publish]);
      expect(grants("order-events")).toEqual([publish, checkpoints]);
    });

    it("opens the search domain to requests for this domain only, authenticated by its master user", () => {
      const domain = one("aws:opensearch/domain:Domain", "SearchDomain");
      const [statement, ...others] = statementsOf(
        one("aws:opensearch/domainPolicy:DomainPolicy", "SearchDomainPolicy").accessPolicies,
      );
      expect(others).toEqual([]);
      expect(statement?.Resource).toBe(
        `arn:aws:es:us-east-1:123456789012:domain/${domain.domainName}/*`,
      );
      expect(domain.advancedSecurityOptions).toMatchObject({
        enabled: true,
        internalUserDatabaseEnabled: true,
      });
    });
  });

  describe(`sst.config.ts, stage ${stage}: encryption`, () => {
    it("encrypts both queues, the archive and the search domain", () => {
      expect(one("aws:sqs/queue:Queue", "Shop-dead-letters")).toMatchObject({
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 1_209_600,
      });
      expect(one("aws:sqs/queue:Queue", "OrderShippedQueue").sqsManagedSseEnabled).toBe(true);
      expect(
        one(
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "Archive-encryption",
        ).rules,
      ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
      expect(one("aws:opensearch/domain:Domain", "SearchDomain")).toMatchObject({
        encryptAtRest: { enabled: true },
        nodeToNodeEncryption: { enabled: true },
        domainEndpointOptions: {
          enforceHttps: true,
          tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07",
        },
      });
    });
  });

  describe(`sst.config.ts, stage ${stage}: the OrderShipped reaction`, () => {
    it("routes OrderShipped events from the bus to their own queue, which only accepts them from AWS services", () => {
      const bus = one("aws:cloudwatch/eventBus:EventBus", "EventsBus");
      const rule = one("aws:cloudwatch/eventRule:EventRule", "EventsSubscriberOrderShippedRule");
      const queue = one("aws:sqs/queue:Queue", "OrderShippedQueue");
      const queueArn = `arn:aws:sqs:us-east-1:123456789012:${queue.name}`;
      expect(rule.eventBusName).toBe(bus.name);
      expect(JSON.parse(rule.eventPattern)).toEqual({ "detail-type": ["OrderShipped"] });
      expect(
        one("aws:cloudwatch/eventTarget:EventTarget", "EventsSubscriberOrderShippedTarget"),
      ).toMatchObject({
        rule: rule.name,
        arn: queueArn,
      });
      const [statement] = statementsOf(
        one("aws:sqs/queuePolicy:QueuePolicy", "EventsSubscriberOrderShippedPolicy").policy,
      );
      expect(statement).toMatchObject({
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: [queueArn],
      });
      expect(statement?.Principal).toEqual({
        Service: expect.arrayContaining(["events.amazonaws.com"]),
      });
    });
  });

  describe(`sst.config.ts, stage ${stage}: stage settings`, () => {
    const stateful = [
      "OrdersTable",
      "DailySalesTable",
      "Shop-checkpoints",
      "Shop-dead-letters",
      "Archive-bucket",
    ];

    it(`${expected.retained ? "keeps" : "removes"} tables, the dead-letter queue and the archive when the stage is removed`, () => {
      for (const name of stateful)
        expect(Boolean(stack.retained.get(name)), name).toBe(expected.retained);
      for (const name of ["OrdersTable", "DailySalesTable", "Shop-checkpoints"]) {
        expect(one("aws:dynamodb/table:Table", name).deletionProtectionEnabled, name).toBe(
          expected.retained,
        );
      }
      expect(one("aws:s3/bucket:Bucket", "Archive-bucket").forceDestroy).toBe(!expected.retained);
      expect(stack.outputs._protect).toBe(expected.protect);
    });

    it(`${expected.alarmTopic ? "sends" : "does not send"} its alarms to a topic`, () => {
      const alarms: RecordedResource[] = ofType(
        created(),
        "aws:cloudwatch/metricAlarm:MetricAlarm",
      );
      expect(alarms).toHaveLength(subscribers.length * 2 + 1);
      const topics = expected.alarmTopic
        ? ["arn:aws:sns:us-east-1:123456789012:Alarms-a1b2c3"]
        : [];
      for (const alarm of alarms) {
        expect(alarm.inputs.alarmActions, alarm.name).toEqual(topics);
        expect(alarm.inputs.okActions, alarm.name).toEqual(topics);
      }
      expect(stack.outputs.alarmTopic).toBe(topics[0]);
    });

    it(`sizes the search domain as ${expected.searchInstance} with ${expected.searchStorageGb} GB`, () => {
      expect(one("aws:opensearch/domain:Domain", "SearchDomain")).toMatchObject({
        clusterConfig: { instanceType: `${expected.searchInstance}.search`, instanceCount: 1 },
        ebsOptions: { volumeSize: expected.searchStorageGb, volumeType: "gp3" },
      });
    });

    it(
      expected.archiveLockDays > 0
        ? `locks the audit archive for ${expected.archiveLockDays} days`
        : "leaves the audit archive unlocked",
      () => {
        expect(one("aws:s3/bucket:Bucket", "Archive-bucket").objectLockEnabled).toBe(
          expected.archiveLockDays > 0,
        );
        const locks = ofType(
          created(),
          "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        );
        expect(locks.map((lock) => lock.inputs.rule.defaultRetention)).toEqual(
          expected.archiveLockDays > 0
            ? [{ mode: "GOVERNANCE", days: expected.archiveLockDays }]
            : [],
        );
      },
    );
  });
}
