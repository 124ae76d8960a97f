import { cloudwatch, sns } from "@pulumi/aws";
import type { CustomResourceOptions, Input } from "@pulumi/pulumi";

/** Where alarm state changes go; none means the alarms only show in the console. */
export interface AlarmActions {
  topicArn?: Input<string>;
}

function actions(target: AlarmActions) {
  const topics = target.topicArn === undefined ? [] : [target.topicArn];
  return { alarmActions: topics, okActions: topics, actionsEnabled: topics.length > 0 };
}

// A function that is not invoked or a queue that stays empty sends no data points: that is fine.
const quietIsFine = "notBreaching";

/** The oldest record a mapping hands over waits longer than `thresholdSeconds`: the shard lags. */
export function iteratorAgeAlarm(
  name: string,
  functionName: Input<string>,
  thresholdSeconds: number,
  target: AlarmActions,
  opts: CustomResourceOptions,
): cloudwatch.MetricAlarm {
  return new cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: `Stream records wait over ${thresholdSeconds} s for this function. Look for a failing batch in its logs (retries, bisections), then at the dead-letter queue.`,
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      dimensions: { FunctionName: functionName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 5,
      threshold: thresholdSeconds * 1000,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: quietIsFine,
      ...actions(target),
    },
    opts,
  );
}

/**
 * The function itself failed (threw, timed out, ran out of memory). sluice's runtime reports
 * record failures in the batch response, so any function error is worth a look.
 */
export function functionErrorsAlarm(
  name: string,
  functionName: Input<string>,
  target: AlarmActions,
  opts: CustomResourceOptions,
): cloudwatch.MetricAlarm {
  return new cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription:
        "The function failed whole invocations (an exception outside a record, a timeout, out of memory). Its logs name the error; Lambda retries the batch.",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: quietIsFine,
      ...actions(target),
    },
    opts,
  );
}

/** Anything in the dead-letter queue is a record that was not applied. */
export function deadLetterDepthAlarm(
  name: string,
  queueName: Input<string>,
  target: AlarmActions,
  opts: CustomResourceOptions,
): cloudwatch.MetricAlarm {
  return new cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription:
        "Dead letters are waiting: records that failed permanently or outlived the retry and age limits. Inspect and replay them with `sluice replay` once the cause is fixed.",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: quietIsFine,
      ...actions(target),
    },
    opts,
  );
}

/**
 * A stage's alarm topic. Not encrypted: CloudWatch cannot publish to a topic under the AWS managed
 * key (alias/aws/sns), and alarm messages carry no record data.
 */
export function alarmTopic(name: string, opts: CustomResourceOptions): sns.Topic {
  return new sns.Topic(name, {}, opts);
}
