import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { ttlSweepTimeoutMs, useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import {
  normalizeLocalStreamRecord,
  TTL_GET_RECORDS_IDENTITY,
  TTL_USER_IDENTITY,
} from "../src/ttl-quirk.js";

const local = useLocalStack();

/** Reads the table's only shard from the start until `count` records arrived. */
async function readStream(streamArn: string, count: number): Promise<_Record[]> {
  const streams = local.clients.streams;
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: streamArn }),
  );
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: StreamDescription!.Shards![0]!.ShardId!,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )
  ).ShardIterator;
  const records: _Record[] = [];
  const deadline = Date.now() + ttlSweepTimeoutMs;
  while (records.length < count) {
    if (Date.now() > deadline)
      throw new Error(`Stream gave ${records.length} of ${count} records.`);
    const output = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
    records.push(...(output.Records ?? []));
    iterator = output.NextShardIterator;
    if (records.length < count) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return records;
}

describe("DynamoDB Local TTL quirk", () => {
  it("normalizes a real TTL deletion from DynamoDB Local into AWS's REMOVE record", async () => {
    const table = await local.createTable({
      stream: "NEW_AND_OLD_IMAGES",
      ttlAttribute: "expiresAt",
    });
    const expired = String(Math.floor(Date.now() / 1000) - 60);
    const item = { PK: { S: "CART#1" }, SK: { S: "ITEM#sku-1" }, expiresAt: { N: expired } };
    await local.clients.dynamodb.send(
      new PutItemCommand({ TableName: table.tableName, Item: item }),
    );

    // DynamoDB Local's TTL sweep deletes the expired item within about a second.
    const [insert, ttlDelete] = await readStream(table.streamArn!, 2);
    expect(insert!.eventName).toBe("INSERT");
    // The quirk as DynamoDB Local 3.x writes it.
    expect(ttlDelete!.eventName as string).toBe("UNKNOWN_TO_SDK_VERSION");
    expect(ttlDelete!.userIdentity).toBeUndefined();

    const normalized = normalizeLocalStreamRecord(ttlDelete!);
    expect(normalized.eventName).toBe("REMOVE");
    // GetRecords spells the identity { PrincipalId, Type }, as the SDK's Identity type does.
    expect(normalized.userIdentity).toEqual({
      Type: "Service",
      PrincipalId: "dynamodb.amazonaws.com",
    });
    expect(normalized.userIdentity).not.toBe(TTL_GET_RECORDS_IDENTITY);
    expect(normalized.dynamodb).toEqual(ttlDelete!.dynamodb);
    expect(normalized.dynamodb?.OldImage).toEqual(item);
    expect(normalizeLocalStreamRecord(insert!)).toBe(insert);
  }, 120_000);

  it("leaves user deletions and records that already carry an identity alone", () => {
    const userRemove = { eventName: "REMOVE", dynamodb: {} };
    expect(normalizeLocalStreamRecord(userRemove)).toBe(userRemove);
    const awsTtl = { eventName: "REMOVE", userIdentity: TTL_USER_IDENTITY };
    expect(normalizeLocalStreamRecord(awsTtl)).toBe(awsTtl);
  });

  it("gives Lambda event records Lambda's spelling, without sharing the identity object", () => {
    const lambdaRecord = {
      eventName: "UNKNOWN_TO_SDK_VERSION",
      eventSourceARN: "arn",
      dynamodb: {},
    };
    const first = normalizeLocalStreamRecord(lambdaRecord) as typeof lambdaRecord & {
      userIdentity: object;
    };
    expect(first).toMatchObject({
      eventName: "REMOVE",
      eventSourceARN: "arn",
      userIdentity: TTL_USER_IDENTITY,
    });
    expect(first.userIdentity).not.toBe(TTL_USER_IDENTITY);
    expect(lambdaRecord.eventName).toBe("UNKNOWN_TO_SDK_VERSION");
  });
});
