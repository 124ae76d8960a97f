import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
  /** A closed shard has an ending sequence number; it gets no new records. */
  closed: boolean;
}

/** All shards of a stream (DescribeStream pages through them). */
export async function describeShards(
  client: DynamoDBStreamsClient,
  streamArn: string,
): Promise<ShardInfo[]> {
  const shards: Shard[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const out = await client.send(
      new DescribeStreamCommand({
        StreamArn: streamArn,
        ExclusiveStartShardId: exclusiveStartShardId,
      }),
    );
    const description = out.StreamDescription;
    if (description?.StreamStatus === "DISABLED" || description?.StreamStatus === "DISABLING") {
      throw new Error(
        `The stream ${streamArn} is ${description.StreamStatus}; enable the table's stream and use its new LatestStreamArn.`,
      );
    }
    shards.push(...(description?.Shards ?? []));
    exclusiveStartShardId = description?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards.map((shard) => ({
    shardId: shard.ShardId as string,
    parentShardId: shard.ParentShardId,
    closed: shard.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  }));
}

const GET_RECORDS_LIMIT = 1000;

/** Reads one shard in order, remembering its position so an expired iterator can be renewed. */
export class ShardReader {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  /** True once GetRecords returned no next iterator: the shard is closed and fully read. */
  ended = false;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    readonly shardId: string,
    private initialPosition: ShardIteratorType,
  ) {}

  private async renewIterator(): Promise<string | undefined> {
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: this.shardId,
        ...(this.lastSequenceNumber
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: this.lastSequenceNumber }
          : { ShardIteratorType: this.initialPosition }),
      }),
    );
    return out.ShardIterator;
  }

  /** Takes the starting position now, so that LATEST means "after the mapping started". */
  async open(): Promise<void> {
    this.iterator = await this.renewIterator();
    if (!this.iterator) this.ended = true;
  }

  async read(): Promise<_Record[]> {
    if (this.ended) return [];
    this.iterator ??= await this.renewIterator();
    let out: GetRecordsCommandOutput;
    try {
      out = await this.client.send(
        new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }),
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === "ExpiredIteratorException") {
        this.iterator = undefined;
        return [];
      }
      if (name === "TrimmedDataAccessException") {
        // What was after the position has left the stream: go on from the oldest record kept.
        this.iterator = undefined;
        this.lastSequenceNumber = undefined;
        this.initialPosition = "TRIM_HORIZON";
        return [];
      }
      throw error;
    }
    const records = out.Records ?? [];
    const last = records[records.length - 1]?.dynamodb?.SequenceNumber;
    if (last) this.lastSequenceNumber = last;
    this.iterator = out.NextShardIterator;
    if (!this.iterator) this.ended = true;
    return records;
  }
}
