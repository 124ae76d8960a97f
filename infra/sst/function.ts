import type { FunctionFactory } from "../src/index";

/**
 * Subscriber functions built by SST: it bundles the handler with esbuild. StreamPipeline owns
 * the role and log group, so SST adds neither a role of its own nor the managed logging policy.
 */
export const sstFunction: FunctionFactory = (args, opts) => {
  const fn = new sst.aws.Function(
    args.name,
    {
      handler: args.handler,
      runtime: "nodejs24.x",
      role: args.roleArn,
      timeout: `${args.timeoutSeconds} seconds`,
      memory: `${args.memoryMb} MB`,
      environment: args.environment,
      logging: { logGroup: args.logGroupName, format: "json" },
    },
    opts,
  );
  return { arn: fn.arn, name: fn.name };
};
