// The ground truth: every change as the table's stream holds it, read with the Streams API.
import type { Sdk, Sender } from "./packages.ts";

export interface StreamChange {
  eventId: string;
  item: string;
  sequenceNumber: string;
  poison: boolean;
}

interface DescribeStreamOutput {
  StreamDescription: { Shards?: { ShardId: string }[]; LastEvaluatedShardId?: string };
}

interface GetRecordsOutput {
  Records?: {
    eventID: string;
    dynamodb: {
      Keys: { PK: { S: string } };
      NewImage?: { poison?: { BOOL: boolean } };
      SequenceNumber: string;
    };
  }[];
  NextShardIterator?: string;
}

/** Reads every shard from its trim horizon until a page comes back empty or the shard ends. */
export async function readStream(
  sdk: Sdk,
  streams: Sender,
  streamArn: string,
): Promise<StreamChange[]> {
  const shards: string[] = [];
  let after: string | undefined;
  do {
    const { StreamDescription } = (await streams.send(
      new sdk.streams.DescribeStreamCommand({
        StreamArn: streamArn,
        ...(after && { ExclusiveStartShardId: after }),
      }),
    )) as DescribeStreamOutput;
    shards.push(...(StreamDescription.Shards ?? []).map((shard) => shard.ShardId));
    after = StreamDescription.LastEvaluatedShardId;
  } while (after);

  const changes: StreamChange[] = [];
  for (const shardId of shards) {
    let { ShardIterator: iterator } = (await streams.send(
      new sdk.streams.GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )) as { ShardIterator?: string };
    while (iterator) {
      const page = (await streams.send(
        new sdk.streams.GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
      )) as GetRecordsOutput;
      const records = page.Records ?? [];
      for (const record of records) {
        changes.push({
          eventId: record.eventID,
          item: record.dynamodb.Keys.PK.S,
          sequenceNumber: record.dynamodb.SequenceNumber,
          poison: record.dynamodb.NewImage?.poison?.BOOL === true,
        });
      }
      // The writes are over, so an open shard's first empty page is its end.
      iterator = records.length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return changes;
}
