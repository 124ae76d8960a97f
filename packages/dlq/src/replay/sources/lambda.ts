import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBStreamRecord, FailureDestinationPayload } from "@sluice/records";
import { envelopeId } from "../../envelope.js";
import { parseLambdaFailureRecord, recordsOfPayload } from "../../lambda-destination.js";
import { readStreamRange } from "../../stream-range.js";
import type { ReplayRecord, ReplaySource } from "../types.js";
import { type S3SourceOptions, s3ObjectSource } from "./s3-objects.js";
import { type SqsSourceOptions, sqsMessageSource } from "./sqs-messages.js";

/** Lambda's on-failure destination on SQS (or SNS into SQS): re-reads each range from the stream. */
export function lambdaSqsSource(
  options: SqsSourceOptions & { streams: DynamoDBStreamsClient },
): ReplaySource {
  return sqsMessageSource(
    `Lambda failure destination ${options.queueUrl}`,
    options,
    async (message) => {
      const failure = parseLambdaFailureRecord(message.Body ?? "");
      const info = failure.DDBStreamBatchInfo;
      const records = await readStreamRange(options.streams, info, {
        expectedCount: info.batchSize,
      });
      return toReplayRecords(failure, records);
    },
  );
}

/** Lambda's on-failure destination on S3: the records are inside each object. */
export function lambdaS3Source(options: S3SourceOptions): ReplaySource {
  const prefix = options.prefix ?? "aws/lambda/";
  return s3ObjectSource(
    `Lambda failure destination s3://${options.bucket}/${prefix}`,
    { ...options, prefix },
    (body) => {
      const failure = parseLambdaFailureRecord(Buffer.from(body).toString("utf8"));
      return toReplayRecords(failure, recordsOfPayload(failure));
    },
  );
}

function toReplayRecords(
  failure: FailureDestinationPayload,
  records: DynamoDBStreamRecord[],
): ReplayRecord[] {
  const processor = functionName(failure.requestContext.functionArn);
  const failedAt = new Date(failure.timestamp);
  return records.map((record) => ({
    id: envelopeId("lambda", processor, record),
    record,
    meta: {
      processor,
      errorCode: failure.requestContext.condition,
      ...(Number.isNaN(failedAt.getTime()) ? {} : { failedAt }),
    },
  }));
}

/** `arn:aws:lambda:region:account:function:name[:qualifier]` -> name. */
function functionName(functionArn: string): string {
  return functionArn.split(":")[6] ?? functionArn;
}
