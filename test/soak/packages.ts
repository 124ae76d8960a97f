// The workspace root depends on no package, and `sluice replay` loads the replay handler in a
// plain Node process, so the soak loads the built packages (dist) and the AWS SDK the way a user's
// code would: resolved from @sluice/dlq, which depends on all of them. Types come from the sources.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type * as Dlq from "@sluice/dlq";
import type * as Local from "@sluice/local";
import type * as Runtime from "@sluice/runtime";

/** An SDK command class; the soak only builds commands and reads a few fields of their output. */
type Command = new (input: object) => object;

/** The AWS SDK commands the soak sends itself (the packages bring their own). */
export interface Sdk {
  dynamodb: Record<
    | "CreateTableCommand"
    | "PutItemCommand"
    | "UpdateItemCommand"
    | "DeleteItemCommand"
    | "DeleteTableCommand"
    | "ScanCommand",
    Command
  >;
  streams: Record<
    "DescribeStreamCommand" | "GetShardIteratorCommand" | "GetRecordsCommand",
    Command
  >;
  sqs: Record<
    | "CreateQueueCommand"
    | "GetQueueAttributesCommand"
    | "ReceiveMessageCommand"
    | "DeleteMessageBatchCommand"
    | "ChangeMessageVisibilityBatchCommand"
    | "SendMessageBatchCommand",
    Command
  >;
  s3: Record<"CreateBucketCommand", Command>;
}

export interface Packages {
  runtime: typeof Runtime;
  dlq: typeof Dlq;
  local: typeof Local;
  sdk: Sdk;
}

/** What the soak needs of an SDK client: `send`, with the output read field by field. */
export interface Sender {
  send(command: object): Promise<unknown>;
}

/** SDK clients are typed per command; the soak's commands are not, so it sends through this. */
export const sender = (client: unknown): Sender => client as Sender;

const dlqRequire = createRequire(new URL("../../packages/dlq/package.json", import.meta.url));
const load = async <T>(specifier: string): Promise<T> =>
  (await import(pathToFileURL(dlqRequire.resolve(specifier)).href)) as T;

export async function loadPackages(): Promise<Packages> {
  const [runtime, dlq, local, dynamodb, streams, sqs, s3] = await Promise.all([
    load<typeof Runtime>("@sluice/runtime"),
    load<typeof Dlq>("@sluice/dlq"),
    load<typeof Local>("@sluice/local"),
    load<Sdk["dynamodb"]>("@aws-sdk/client-dynamodb"),
    load<Sdk["streams"]>("@aws-sdk/client-dynamodb-streams"),
    load<Sdk["sqs"]>("@aws-sdk/client-sqs"),
    load<Sdk["s3"]>("@aws-sdk/client-s3"),
  ]);
  return { runtime, dlq, local, sdk: { dynamodb, streams, sqs, s3 } };
}
