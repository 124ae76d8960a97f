import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";
import { RecordsExpiredError, readStreamRange } from "../src/index.js";
import { readWholeStream } from "./stream-helpers.js";

const stack = useLocalStack();
const { dynamodb, streams } = stack.clients;

async function tableWithChanges(count: number) {
  const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
  for (let n = 0; n < count; n++) {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: { PK: { S: `CUSTOMER#${n}` }, SK: { S: "PROFILE" }, bin: { B: new Uint8Array([n]) } },
      }),
    );
  }
  const [shard] = await readWholeStream(streams, table.streamArn!);
  return { streamArn: table.streamArn!, shardId: shard!.shardId, records: shard!.records };
}

async function expiredError(promise: Promise<unknown>): Promise<RecordsExpiredError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RecordsExpiredError);
  return error as RecordsExpiredError;
}

describe("readStreamRange on DynamoDB Local", () => {
  it("re-reads exactly the records from the start to the end sequence number, across pages", async () => {
    const { streamArn, shardId, records } = await tableWithChanges(20);
    const range = {
      streamArn,
      shardId,
      startSequenceNumber: records[4]!.dynamodb!.SequenceNumber!,
      endSequenceNumber: records[15]!.dynamodb!.SequenceNumber!,
    };
    const read = await readStreamRange(streams, range, { pageSize: 3, expectedCount: 12 });
    expect(read).toEqual(records.slice(4, 16));
    // Lambda's JSON form: base64 binary, epoch seconds, the stream ARN.
    expect(read[0]!.dynamodb!.NewImage!.bin).toEqual({ B: Buffer.from([4]).toString("base64") });
    expect(typeof read[0]!.dynamodb!.ApproximateCreationDateTime).toBe("number");
    expect(read[0]!.eventSourceARN).toBe(streamArn);
  });

  it("reads a one-record range", async () => {
    const { streamArn, shardId, records } = await tableWithChanges(3);
    const sequence = records[1]!.dynamodb!.SequenceNumber!;
    const read = await readStreamRange(streams, {
      streamArn,
      shardId,
      startSequenceNumber: sequence,
      endSequenceNumber: sequence,
    });
    expect(read).toEqual([records[1]]);
  });

  it("says which range is gone when the stream no longer holds its end", async () => {
    const { streamArn, shardId, records } = await tableWithChanges(3);
    const last = BigInt(records[2]!.dynamodb!.SequenceNumber!);
    const range = {
      streamArn,
      shardId,
      startSequenceNumber: records[0]!.dynamodb!.SequenceNumber!,
      endSequenceNumber: String(last + 1000n),
    };
    const error = await expiredError(readStreamRange(streams, range, { maxEmptyPages: 1 }));
    expect(error.range).toEqual(range);
    expect(error.found).toBe(3);
    expect(error.message).toContain(shardId);
    expect(error.message).toContain(streamArn);
    expect(error.message).toContain(range.endSequenceNumber);
  });

  it("counts a range with fewer records than the batch held as expired", async () => {
    const { streamArn, shardId, records } = await tableWithChanges(3);
    const range = {
      streamArn,
      shardId,
      startSequenceNumber: records[0]!.dynamodb!.SequenceNumber!,
      endSequenceNumber: records[2]!.dynamodb!.SequenceNumber!,
    };
    const error = await expiredError(readStreamRange(streams, range, { expectedCount: 5 }));
    expect(error).toMatchObject({ found: 3, expected: 5 });
  });

  it("reports a shard that no longer exists as expired", async () => {
    const { streamArn, records } = await tableWithChanges(1);
    const sequence = records[0]!.dynamodb!.SequenceNumber!;
    const error = await expiredError(
      readStreamRange(streams, {
        streamArn,
        shardId: "shardId-00000000000000000000-00000000",
        startSequenceNumber: sequence,
        endSequenceNumber: sequence,
      }),
    );
    expect(error.message).toContain("no longer exists");
  });
});
