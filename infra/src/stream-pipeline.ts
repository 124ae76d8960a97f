import { cloudwatch, type dynamodb, iam, lambda, type sqs } from "@pulumi/aws";
import {
  ComponentResource,
  type ComponentResourceOptions,
  type Input,
  type Output,
} from "@pulumi/pulumi";
import { mappingSettings, type PipelineDefinition, type Subscriber } from "@sluice/pipeline";
import { checkNeeds, subscriberAccess } from "./access.js";
import {
  type AlarmActions,
  deadLetterDepthAlarm,
  functionErrorsAlarm,
  iteratorAgeAlarm,
} from "./alarms.js";
import { checkpointTable } from "./checkpoint-table.js";
import { deadLetterQueue } from "./dead-letter-queue.js";
import type { FunctionFactory, SubscriberFunction } from "./function.js";
import { lambdaAssumeRolePolicy, policyDocument } from "./policy.js";
import type { PipelineResources } from "./resources.js";
import type { StageSettings } from "./stage.js";

/** A table component with a stream, such as `sst.aws.Dynamo`. */
export interface StreamTable {
  nodes: { table: { streamArn: Input<string> } };
}

export interface StreamPipelineArgs {
  definition: PipelineDefinition;
  /** The table's stream ARN, or the table component itself. */
  stream: Input<string> | StreamTable;
  stage: StageSettings;
  createFunction: FunctionFactory;
  /** What the subscribers `need`, besides checkpoints, which the pipeline creates. */
  resources?: PipelineResources;
  /** Alarm state changes go here (production); without it the alarms only show in the console. */
  alarmTopicArn?: Input<string>;
  /** Alarm when records wait longer than this for a function. Default 300 s. */
  iteratorAgeAlarmSeconds?: number;
}

export interface SubscriberResources {
  role: iam.Role;
  policy: iam.RolePolicy;
  logGroup: cloudwatch.LogGroup;
  function: SubscriberFunction;
  mapping: lambda.EventSourceMapping;
  alarms: { iteratorAge: cloudwatch.MetricAlarm; errors: cloudwatch.MetricAlarm };
}

function streamArnOf(stream: Input<string> | StreamTable): Input<string> {
  return typeof stream === "object" && "nodes" in stream ? stream.nodes.table.streamArn : stream;
}

/**
 * A table stream's subscribers, deployed with every setting a stream consumer needs at once
 * (`Dynamo.subscribe` sets only filters and LATEST): per subscriber a role with least-privilege
 * IAM, a log group, the function, its event source mapping (partial batch responses, bisect,
 * retry and age limits, the dead-letter queue on failure) and alarms; shared, the encrypted
 * dead-letter queue, its depth alarm and the checkpoint table.
 *
 * A plain Pulumi component, not an SST one: it runs in any Pulumi program, unit-tests with
 * Pulumi's mocks alone and type-checks with the repository's strict settings. SST apps pass
 * `sst.aws.Function` as `createFunction` so SST bundles the handlers.
 */
export class StreamPipeline extends ComponentResource {
  readonly deadLetterQueue?: sqs.Queue;
  readonly checkpointTable?: dynamodb.Table;
  readonly deadLetterAlarm?: cloudwatch.MetricAlarm;
  readonly subscribers: Readonly<Record<string, SubscriberResources>>;

  constructor(name: string, args: StreamPipelineArgs, opts?: ComponentResourceOptions) {
    super("sluice:aws:StreamPipeline", name, {}, opts);
    const { definition, stage } = args;
    const subscribers = Object.values<Subscriber>(definition.subscribers);
    const alarms: AlarmActions = { topicArn: args.alarmTopicArn };
    const parent = { parent: this };
    checkNeeds(subscribers, args.resources ?? {});

    if (subscribers.some((subscriber) => subscriber.deadLetter === "queue")) {
      this.deadLetterQueue = deadLetterQueue(`${name}-dead-letters`, stage, parent);
      this.deadLetterAlarm = deadLetterDepthAlarm(
        `${name}-dead-letters-depth`,
        this.deadLetterQueue.name,
        alarms,
        parent,
      );
    }
    if (subscribers.some((subscriber) => subscriber.needs.includes("checkpoints"))) {
      this.checkpointTable = checkpointTable(`${name}-checkpoints`, stage, parent);
    }

    const streamArn = streamArnOf(args.stream);
    const built: Record<string, SubscriberResources> = {};
    for (const subscriber of subscribers) {
      built[subscriber.name] = this.subscriber(`${name}-${subscriber.name}`, subscriber, {
        args,
        streamArn,
        alarms,
      });
    }
    this.subscribers = built;

    this.registerOutputs({
      deadLetterQueueUrl: this.deadLetterQueue?.url,
      checkpointTableName: this.checkpointTable?.name,
      functions: Object.fromEntries(
        Object.entries(built).map(([key, resources]) => [key, resources.function.name]),
      ),
    });
  }

  private subscriber(
    prefix: string,
    subscriber: Subscriber,
    shared: { args: StreamPipelineArgs; streamArn: Input<string>; alarms: AlarmActions },
  ): SubscriberResources {
    const { args, streamArn, alarms } = shared;
    const parent = { parent: this };
    const queue = subscriber.deadLetter === "queue" ? this.deadLetterQueue : undefined;

    const role = new iam.Role(
      `${prefix}-role`,
      {
        assumeRolePolicy: lambdaAssumeRolePolicy,
        description: `sluice pipeline ${args.definition.name}, subscriber ${subscriber.name}`,
      },
      parent,
    );
    const logGroup = new cloudwatch.LogGroup(
      `${prefix}-logs`,
      {
        namePrefix: `/sluice/${args.stage.stage}/${args.definition.name}/${subscriber.name}-`,
        retentionInDays: args.stage.logRetentionDays,
      },
      parent,
    );
    const access = subscriberAccess(subscriber, {
      pipeline: args.definition.name,
      streamArn,
      logGroupArn: logGroup.arn,
      ...(queue && { deadLetterQueue: { arn: queue.arn, url: queue.url } }),
      ...(this.checkpointTable && {
        checkpointTable: { arn: this.checkpointTable.arn, name: this.checkpointTable.name },
      }),
      resources: args.resources ?? {},
    });
    const policy = new iam.RolePolicy(
      `${prefix}-policy`,
      { role: role.name, policy: policyDocument(access.statements) },
      parent,
    );
    const fn = args.createFunction(
      {
        name: prefix,
        handler: subscriber.handler.path,
        roleArn: role.arn,
        logGroupName: logGroup.name,
        timeoutSeconds: subscriber.timeoutSeconds,
        memoryMb: subscriber.memoryMb,
        environment: access.environment,
      },
      parent,
    );
    const mapping = eventSourceMapping(`${prefix}-mapping`, subscriber, {
      streamArn,
      functionArn: fn.arn,
      deadLetterQueueArn: queue?.arn,
      // Lambda checks the role can read the stream when the mapping is created.
      opts: { parent: this, dependsOn: [policy] },
    });
    return {
      role,
      policy,
      logGroup,
      function: fn,
      mapping,
      alarms: {
        iteratorAge: iteratorAgeAlarm(
          `${prefix}-iterator-age`,
          fn.name,
          args.iteratorAgeAlarmSeconds ?? 300,
          alarms,
          parent,
        ),
        errors: functionErrorsAlarm(`${prefix}-errors`, fn.name, alarms, parent),
      },
    };
  }
}

function eventSourceMapping(
  name: string,
  subscriber: Subscriber,
  target: {
    streamArn: Input<string>;
    functionArn: Output<string>;
    deadLetterQueueArn: Output<string> | undefined;
    opts: ComponentResourceOptions;
  },
): lambda.EventSourceMapping {
  // The same settings @sluice/local's mapping takes; the queue's ARN arrives once it exists.
  const settings = mappingSettings(subscriber, target.deadLetterQueueArn);
  return new lambda.EventSourceMapping(
    name,
    {
      eventSourceArn: target.streamArn,
      functionName: target.functionArn,
      startingPosition: settings.StartingPosition,
      batchSize: settings.BatchSize,
      maximumBatchingWindowInSeconds: settings.MaximumBatchingWindowInSeconds,
      functionResponseTypes: settings.FunctionResponseTypes,
      bisectBatchOnFunctionError: settings.BisectBatchOnFunctionError,
      maximumRetryAttempts: settings.MaximumRetryAttempts,
      maximumRecordAgeInSeconds: settings.MaximumRecordAgeInSeconds,
      parallelizationFactor: settings.ParallelizationFactor,
      tumblingWindowInSeconds: settings.TumblingWindowInSeconds,
      filterCriteria: settings.FilterCriteria && {
        filters: settings.FilterCriteria.Filters.map((filter) => ({ pattern: filter.Pattern })),
      },
      destinationConfig: settings.DestinationConfig && {
        onFailure: { destinationArn: settings.DestinationConfig.OnFailure.Destination },
      },
    },
    target.opts,
  );
}
