/** What a DynamoDB stream ARN says about its table. */
export interface StreamArnParts {
  /** Undefined when the ARN holds a placeholder such as `{{{region}}}` instead of a region. */
  region: string | undefined;
  accountId: string;
  tableName: string;
  streamLabel: string | undefined;
}

// The account may be anything but ':' and the region anything, even empty: sample events from
// AWS's docs and templates put placeholders there ("account-id", "{{{accountId}}}", "{{{region}}}")
// and still name the table.
const STREAM_ARN = /^arn:[\w-]+:dynamodb:([^:]*):([^:]+):table\/([^/]+)(?:\/stream\/(.+))?$/;
const REGION = /^[\w-]+$/;

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
  const region = match?.[1];
  const parts =
    match === null
      ? undefined
      : {
          region: region !== undefined && REGION.test(region) ? region : undefined,
          accountId: match[2] as string,
          tableName: match[3] as string,
          streamLabel: match[4],
        };
  lastArn = arn;
  lastParts = parts;
  return parts;
}
