import type { Inputs } from "./pulumi-mocks.js";

/** The account, region and physical names the mocks hand out, as AWS would shape them. */
export const account = "123456789012";
export const region = "us-east-1";

function physicalName(name: string, inputs: Record<string, unknown>): string {
  if (typeof inputs.name === "string") return inputs.name;
  if (typeof inputs.namePrefix === "string") return `${inputs.namePrefix}a1b2c3`;
  return `${name}-a1b2c3`;
}

/** The id the AWS provider gives a resource: a bucket's is its name, a queue's its URL, a secret's its ARN. */
export function providerId(type: string, name: string, inputs: Record<string, unknown>): string {
  const state = computedState(type, name, inputs);
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return state.bucket as string;
    case "aws:sqs/queue:Queue":
      return state.url as string;
    case "aws:secretsmanager/secret:Secret":
      return state.arn as string;
    default:
      return typeof state.name === "string" ? state.name : `${name}-id`;
  }
}

/** The outputs AWS computes for a resource: its ARN, physical name, URL, stream ARN. */
export function computedState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const physical = physicalName(name, inputs);
  switch (type) {
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: `arn:aws:sqs:${region}:${account}:${physical}`,
        url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
      };
    case "aws:dynamodb/table:Table": {
      const arn = `arn:aws:dynamodb:${region}:${account}:table/${physical}`;
      return {
        name: physical,
        arn,
        ...(inputs.streamEnabled ? { streamArn: `${arn}/stream/2026-01-01T00:00:00.000` } : {}),
      };
    }
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${account}:role/${physical}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: `arn:aws:logs:${region}:${account}:log-group:${physical}` };
    case "aws:lambda/function:Function":
      return { name: physical, arn: `arn:aws:lambda:${region}:${account}:function:${physical}` };
    case "aws:s3/bucket:Bucket": {
      const bucket = typeof inputs.bucket === "string" ? inputs.bucket : physical;
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case "aws:sns/topic:Topic":
      return { name: physical, arn: `arn:aws:sns:${region}:${account}:${physical}` };
    case "aws:cloudwatch/eventBus:EventBus":
      return { name: physical, arn: `arn:aws:events:${region}:${account}:event-bus/${physical}` };
    case "aws:opensearch/domain:Domain": {
      const domainName = typeof inputs.domainName === "string" ? inputs.domainName : physical;
      return {
        domainName,
        arn: `arn:aws:es:${region}:${account}:domain/${domainName}`,
        endpoint: `search-${domainName}.${region}.es.amazonaws.com`,
      };
    }
    case "aws:secretsmanager/secret:Secret":
      return { arn: `arn:aws:secretsmanager:${region}:${account}:secret:${physical}` };
    default:
      return { arn: `arn:aws:mock:${region}:${account}:${type}/${physical}` };
  }
}

interface PolicyDocumentInput {
  statements?: {
    sid?: string;
    effect?: string;
    actions?: string[];
    resources?: string[];
    principals?: { type: string; identifiers: string[] }[];
    conditions?: { test: string; variable: string; values: string[] }[];
  }[];
}

/** IAM's getPolicyDocument: the statements as the JSON document AWS would render. */
function policyDocument({ statements = [] }: PolicyDocumentInput) {
  const Statement = statements.map((statement) => ({
    ...(statement.sid && { Sid: statement.sid }),
    Effect: statement.effect ?? "Allow",
    Action: statement.actions,
    Resource: statement.resources,
    ...(statement.principals && {
      Principal: Object.fromEntries(statement.principals.map((p) => [p.type, p.identifiers])),
    }),
    ...(statement.conditions && {
      Condition: Object.fromEntries(
        statement.conditions.map((c) => [c.test, { [c.variable]: c.values }]),
      ),
    }),
  }));
  return { json: JSON.stringify({ Version: "2012-10-17", Statement }) };
}

/** Answers for the AWS data sources SST's components call. */
export const awsCalls = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: account,
    arn: `arn:aws:iam::${account}:user/test`,
    userId: "test",
    id: account,
  }),
  "aws:index/getRegion:getRegion": () => ({ region, name: region, id: region }),
  "aws:index/getPartition:getPartition": () => ({
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    id: "aws",
  }),
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs: Inputs) =>
    policyDocument(inputs as PolicyDocumentInput),
};
