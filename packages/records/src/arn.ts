/** What a DynamoDB stream ARN says about its table. */
export interface StreamArnParts {
  region: string;
  accountId: string;
  tableName: string;
  streamLabel: string | undefined;
}

const STREAM_ARN = /^arn:[\w-]+:dynamodb:([\w-]+):(\d*):table\/([^/]+)(?:\/stream\/(.+))?$/;

// Every record of a batch carries the same ARN, so remembering the last one saves the parse.
let lastArn: string | undefined;
let lastParts: StreamArnParts | undefined;

/**
 * Parses `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL` (a table ARN works too).
 * Returns undefined for anything else.
 */
export function parseStreamArn(arn: string): StreamArnParts | undefined {
  if (arn === lastArn) return lastParts;
  const match = STREAM_ARN.exec(arn);
  const parts =
    match === null
      ? undefined
      : {
          region: match[1] as string,
          accountId: match[2] as string,
          tableName: match[3] as string,
          streamLabel: match[4],
        };
  lastArn = arn;
  lastParts = parts;
  return parts;
}
