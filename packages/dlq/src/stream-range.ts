import {
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";
import { compareSequenceNumbers, type DynamoDBStreamRecord } from "@sluice/records";
import { RecordsExpiredError, type StreamRange } from "./errors.js";
import { toLambdaRecordJson } from "./record-json.js";

export interface ReadRangeOptions {
  /** Records the range held (DDBStreamBatchInfo.batchSize); finding fewer means some expired. */
  expectedCount?: number;
  /** Empty pages in a row after which the shard counts as read to its end. Default 5. */
  maxEmptyPages?: number;
  /** Records per GetRecords call, at most 1000 (the default). */
  pageSize?: number;
}

/**
 * Re-reads the records from `startSequenceNumber` to `endSequenceNumber` (inclusive) of a shard,
 * across pages, in Lambda's JSON form. Throws RecordsExpiredError when the range is no longer
 * in the stream in full.
 */
export async function readStreamRange(
  streams: DynamoDBStreamsClient,
  range: StreamRange,
  options: ReadRangeOptions = {},
): Promise<DynamoDBStreamRecord[]> {
  const maxEmptyPages = options.maxEmptyPages ?? 5;
  const records: DynamoDBStreamRecord[] = [];
  let last: string | undefined;
  const counts = () => ({ found: records.length, expected: options.expectedCount });
  let iterator: string | undefined = await shardIterator(streams, range, counts(), last);
  let emptyPages = 0;
  let reachedEnd = false;
  while (iterator && !reachedEnd && emptyPages < maxEmptyPages) {
    let page: GetRecordsCommandOutput;
    try {
      page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: options.pageSize ?? 1000 }),
      );
    } catch (error) {
      if (errorName(error) !== "ExpiredIteratorException") throw expired(range, counts(), error);
      iterator = await shardIterator(streams, range, counts(), last);
      continue;
    }
    const pageRecords = page.Records ?? [];
    emptyPages = pageRecords.length === 0 ? emptyPages + 1 : 0;
    for (const record of pageRecords) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (sequence === undefined) continue;
      if (compareSequenceNumbers(sequence, range.endSequenceNumber) > 0) {
        reachedEnd = true;
        break;
      }
      if (compareSequenceNumbers(sequence, range.startSequenceNumber) >= 0) {
        records.push({
          ...toLambdaRecordJson(record as DynamoDBStreamRecord),
          eventSourceARN: range.streamArn,
        });
        last = sequence;
      }
      if (compareSequenceNumbers(sequence, range.endSequenceNumber) === 0) {
        reachedEnd = true;
        break;
      }
    }
    iterator = page.NextShardIterator;
  }
  const complete =
    last !== undefined && compareSequenceNumbers(last, range.endSequenceNumber) === 0;
  if (
    !complete ||
    (options.expectedCount !== undefined && records.length < options.expectedCount)
  ) {
    const expected = options.expectedCount === undefined ? "" : ` of ${options.expectedCount}`;
    throw new RecordsExpiredError(
      range,
      `found ${records.length}${expected} records, ending at ${last ?? "none"}`,
      counts(),
    );
  }
  return records;
}

async function shardIterator(
  streams: DynamoDBStreamsClient,
  range: StreamRange,
  counts: { found: number; expected?: number },
  after: string | undefined,
): Promise<string | undefined> {
  const type: ShardIteratorType = after ? "AFTER_SEQUENCE_NUMBER" : "AT_SEQUENCE_NUMBER";
  try {
    const result = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: range.streamArn,
        ShardId: range.shardId,
        ShardIteratorType: type,
        SequenceNumber: after ?? range.startSequenceNumber,
      }),
    );
    return result.ShardIterator;
  } catch (error) {
    throw expired(range, counts, error);
  }
}

const EXPIRY_REASONS: Record<string, string> = {
  TrimmedDataAccessException: "trimmed: older than the stream's 24-hour retention",
  ResourceNotFoundException: "the stream or shard no longer exists",
};

/** Turns the errors that mean "these records are gone" into RecordsExpiredError; rethrows the rest. */
function expired(
  range: StreamRange,
  counts: { found: number; expected?: number },
  error: unknown,
): unknown {
  const reason = EXPIRY_REASONS[errorName(error)];
  return reason ? new RecordsExpiredError(range, reason, counts, { cause: error }) : error;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}
