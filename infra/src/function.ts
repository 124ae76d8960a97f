import type { ComponentResourceOptions, Input, Output } from "@pulumi/pulumi";

/** What StreamPipeline asks of a subscriber's function; the role and log group are its own. */
export interface SubscriberFunctionArgs {
  /** Unique in the stack: the pipeline component's name and the subscriber's. */
  name: string;
  /** From the definition: module path from the app's root and export, "src/handlers/audit.handler". */
  handler: string;
  roleArn: Output<string>;
  logGroupName: Output<string>;
  timeoutSeconds: number;
  memoryMb: number;
  environment: Record<string, Input<string>>;
}

export interface SubscriberFunction {
  arn: Output<string>;
  name: Output<string>;
}

/**
 * Builds a subscriber's Lambda function on nodejs24.x. In an SST app, `sst.aws.Function` (which
 * bundles the handler); elsewhere any `lambda.Function` with the handler's code.
 */
export type FunctionFactory = (
  args: SubscriberFunctionArgs,
  opts: ComponentResourceOptions,
) => SubscriberFunction;
