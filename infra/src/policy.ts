import { type Input, type Output, output } from "@pulumi/pulumi";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: Input<string>[];
  Principal?: "*" | { Service: string };
  Condition?: Record<string, Record<string, Input<string | string[]>>>;
}

/** An IAM policy document as the JSON string IAM takes, once every ARN in it is known. */
export function policyDocument(statements: PolicyStatement[]): Output<string> {
  return output(statements).apply((resolved) =>
    JSON.stringify({ Version: "2012-10-17", Statement: resolved }),
  );
}

/** Lets Lambda assume a function's role. */
export const lambdaAssumeRolePolicy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
});
