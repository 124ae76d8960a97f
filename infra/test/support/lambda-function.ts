import { lambda } from "@pulumi/aws";
import { asset } from "@pulumi/pulumi";
import type { FunctionFactory } from "../../src/index.js";

/**
 * A plain `lambda.Function` for tests with Pulumi's mocks alone: SST's Function needs SST's
 * platform and build server (see the whole-stack tests), and bundling is not what these test.
 */
export const plainLambdaFunction: FunctionFactory = (args, opts) => {
  const fn = new lambda.Function(
    args.name,
    {
      runtime: "nodejs24.x",
      handler: args.handler,
      role: args.roleArn,
      code: new asset.AssetArchive({}),
      timeout: args.timeoutSeconds,
      memorySize: args.memoryMb,
      environment: { variables: args.environment },
      loggingConfig: { logFormat: "JSON", logGroup: args.logGroupName },
    },
    opts,
  );
  return { arn: fn.arn, name: fn.name };
};
