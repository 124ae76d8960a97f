import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { eventually, useLocalStack } from "@sluice/local/testing";
import type { DynamoDBStreamRecord } from "@sluice/records";
import { afterEach, describe, expect, it } from "vitest";
import { type Tail, type TailOptions, TailStartError, tailStream } from "../src/tail.js";
import type { ChangeView } from "../src/types.js";

const stack = useLocalStack();
const { dynamodb, streams } = stack.clients;
const S = (value: string): AttributeValue => ({ S: value });

const tails: Tail[] = [];
afterEach(async () => {
  await Promise.all(tails.splice(0).map((tail) => tail.stop()));
});

async function streamTable(): Promise<string> {
  const { tableName } = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
  return tableName;
}

type Options = Omit<TailOptions, "clients" | "onChange" | "tableName" | "streamArn">;

/** Starts a tail of the table that collects what it shows; resolves once it is reading. */
async function follow(tableName: string, options: Options = {}) {
  const seen: ChangeView[] = [];
  const tail = tailStream({
    clients: { streams, dynamodb },
    tableName,
    pollIntervalMs: 20,
    onChange: (view) => {
      seen.push(view);
    },
    ...options,
  });
  tails.push(tail);
  await tail.ready;
  return { tail, seen };
}

function put(
  tableName: string,
  pk: string,
  sk: string,
  extra: Record<string, AttributeValue> = {},
) {
  return dynamodb.send(
    new PutItemCommand({ TableName: tableName, Item: { PK: S(pk), SK: S(sk), ...extra } }),
  );
}

/** Waits until a change of this key was shown: every change written before it was read too. */
function until(seen: ChangeView[], key: string) {
  return eventually(() => seen.some((view) => view.key.includes(key)), `${key} was shown`);
}

describe("tailStream", () => {
  it("shows inserts, modifies and removes decoded, in order per item", async () => {
    const tableName = await streamTable();
    const { seen } = await follow(tableName);

    await put(tableName, "CUSTOMER#c-1", "PROFILE", { name: S("Ada"), visits: { N: "1" } });
    await put(tableName, "CUSTOMER#c-2", "PROFILE", { name: S("Grace") });
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { PK: S("CUSTOMER#c-1"), SK: S("PROFILE") },
        UpdateExpression: "SET visits = :v",
        ExpressionAttributeValues: { ":v": { N: "2" } },
      }),
    );
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: { PK: S("CUSTOMER#c-1"), SK: S("PROFILE") },
      }),
    );
    await eventually(() => seen.length === 4, "four changes were shown");

    const first = seen.filter((view) => view.keys.PK === "CUSTOMER#c-1");
    expect(first.map((view) => view.kind)).toEqual(["insert", "modify", "remove"]);
    expect(first[0]).toMatchObject({
      key: "PK=CUSTOMER#c-1 SK=PROFILE",
      entity: "CUSTOMER",
      expired: false,
      newImage: { name: "Ada", visits: 1 },
    });
    expect(first[1]).toMatchObject({ oldImage: { visits: 1 }, newImage: { visits: 2 } });
    expect(first[2]).toMatchObject({ oldImage: { visits: 2 } });
    expect(first[2]?.newImage).toBeUndefined();
    expect(seen.find((view) => view.keys.PK === "CUSTOMER#c-2")?.newImage).toEqual({
      PK: "CUSTOMER#c-2",
      SK: "PROFILE",
      name: "Grace",
    });
  });

  it("shows only the entity asked for, in any letter case", async () => {
    const tableName = await streamTable();
    const { seen } = await follow(tableName, { filter: { entity: "order" } });

    await put(tableName, "CUSTOMER#c-1", "PROFILE");
    await put(tableName, "ORDER#o-1", "ORDER");
    await put(tableName, "CART#c-1", "CART");
    await put(tableName, "ORDER#o-2", "ORDER");
    await until(seen, "ORDER#o-2");

    expect(seen.map((view) => view.keys.PK)).toEqual(["ORDER#o-1", "ORDER#o-2"]);
  });

  it("shows only changes with a key value that starts with the prefix, in any key attribute", async () => {
    const tableName = await streamTable();
    const { seen } = await follow(tableName, { filter: { keyPrefix: "CUSTOMER#c-1" } });

    await put(tableName, "CUSTOMER#c-1", "PROFILE");
    await put(tableName, "CUSTOMER#c-2", "PROFILE");
    await put(tableName, "ORDER#o-1", "CUSTOMER#c-1");
    await put(tableName, "ORDER#o-2", "CUSTOMER#c-2");
    await put(tableName, "CUSTOMER#c-10", "PROFILE");
    await until(seen, "CUSTOMER#c-10");

    expect(seen.map((view) => view.key)).toEqual([
      "PK=CUSTOMER#c-1 SK=PROFILE",
      "PK=ORDER#o-1 SK=CUSTOMER#c-1",
      "PK=CUSTOMER#c-10 SK=PROFILE",
    ]);
  });

  it("from latest leaves out what was written before it was ready; trim-horizon shows it", async () => {
    const tableName = await streamTable();
    await put(tableName, "CUSTOMER#before", "PROFILE");
    const latest = await follow(tableName);
    const horizon = await follow(tableName, { from: "trim-horizon" });

    await put(tableName, "CUSTOMER#after", "PROFILE");
    await until(latest.seen, "CUSTOMER#after");
    await until(horizon.seen, "CUSTOMER#after");

    expect(latest.seen.map((view) => view.keys.PK)).toEqual(["CUSTOMER#after"]);
    expect(horizon.seen.map((view) => view.keys.PK)).toEqual(["CUSTOMER#before", "CUSTOMER#after"]);
  });

  it("shows nothing after stop", async () => {
    const tableName = await streamTable();
    const stopped = await follow(tableName);
    const running = await follow(tableName);
    await put(tableName, "CUSTOMER#one", "PROFILE");
    await until(stopped.seen, "CUSTOMER#one");

    await stopped.tail.stop();
    await stopped.tail.stop();
    await put(tableName, "CUSTOMER#two", "PROFILE");
    // The other tail reads the same stream: once it shows the change, it was there to be read.
    await until(running.seen, "CUSTOMER#two");

    expect(stopped.seen.map((view) => view.keys.PK)).toEqual(["CUSTOMER#one"]);
  });

  it("reports an onChange that throws, with its record, and goes on without showing it twice", async () => {
    const tableName = await streamTable();
    const errors: { error: Error; record?: DynamoDBStreamRecord }[] = [];
    const seen: string[] = [];
    const tail = tailStream({
      clients: { streams, dynamodb },
      tableName,
      pollIntervalMs: 20,
      onChange: (view) => {
        seen.push(view.keys.PK as string);
        if (view.keys.PK === "CUSTOMER#bad") throw new Error("cannot show this one");
      },
      onError: (error, record) => errors.push({ error, ...(record && { record }) }),
    });
    tails.push(tail);
    await tail.ready;

    await put(tableName, "CUSTOMER#bad", "PROFILE");
    await put(tableName, "CUSTOMER#good", "PROFILE");
    await eventually(() => seen.includes("CUSTOMER#good"), "the next change was shown");

    expect(seen).toEqual(["CUSTOMER#bad", "CUSTOMER#good"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error.message).toBe("cannot show this one");
    expect(errors[0]?.record?.dynamodb?.Keys?.PK).toEqual({ S: "CUSTOMER#bad" });
  });

  it("reports a record that does not decode, with the record, and shows the next one", async () => {
    // A stream that serves one record with a number DynamoDB would never send, then a good one.
    const record = (id: string, sequence: string, visits: string) => ({
      eventID: id,
      eventName: "INSERT",
      dynamodb: {
        // Now: the mapping drops records older than the stream's 24 hours.
        ApproximateCreationDateTime: new Date(),
        Keys: { PK: S(`CUSTOMER#${id}`), SK: S("PROFILE") },
        NewImage: { PK: S(`CUSTOMER#${id}`), SK: S("PROFILE"), visits: { N: visits } },
        SequenceNumber: sequence,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    });
    let served = false;
    const fakeStreams = {
      config: { region: async () => "us-east-1" },
      send: async (command: { input: Record<string, unknown> }) => {
        const { input } = command;
        if ("ShardIterator" in input) {
          const Records = served
            ? []
            : [record("bad", "100", "not-a-number"), record("ok", "200", "3")];
          served = true;
          return { Records, NextShardIterator: "next" };
        }
        if ("ShardId" in input) return { ShardIterator: "first" };
        return {
          StreamDescription: {
            StreamStatus: "ENABLED",
            Shards: [{ ShardId: "shard-1", SequenceNumberRange: { StartingSequenceNumber: "1" } }],
          },
        };
      },
    };
    const errors: { error: Error; record?: DynamoDBStreamRecord }[] = [];
    const seen: ChangeView[] = [];
    const tail = tailStream({
      clients: { streams: fakeStreams as never },
      streamArn: "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-11-21T00:00:00.000",
      from: "trim-horizon",
      pollIntervalMs: 20,
      onChange: (view) => {
        seen.push(view);
      },
      onError: (error, record) => errors.push({ error, ...(record && { record }) }),
    });
    tails.push(tail);
    await tail.ready;
    await eventually(() => seen.length === 1, "the good record was shown");
    // Records of a batch are handled in order, so the bad one was reported before it.

    expect(seen[0]).toMatchObject({ eventId: "ok", newImage: { visits: 3 } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.record?.eventID).toBe("bad");
    expect(errors[0]?.error.message).toContain("not-a-number");
  });

  it("explains a table without a stream, and a table that does not exist", async () => {
    const { tableName } = await stack.createTable();
    const onChange = () => {};
    const noStream = tailStream({ clients: { streams, dynamodb }, tableName, onChange });
    await expect(noStream.ready).rejects.toMatchObject({
      reason: "no-stream",
      message: expect.stringContaining("--stream-specification StreamEnabled=true"),
    });
    const missing = tailStream({
      clients: { streams, dynamodb },
      tableName: stack.uniqueName("missing"),
      onChange,
    });
    await expect(missing.ready).rejects.toBeInstanceOf(TailStartError);
    await expect(missing.ready).rejects.toMatchObject({ reason: "no-table" });
    await noStream.stop();
    await missing.stop();
  });

  it("reaches the table with only a streams client", async () => {
    const tableName = await streamTable();
    const seen: ChangeView[] = [];
    const tail = tailStream({
      clients: { streams },
      tableName,
      pollIntervalMs: 20,
      onChange: (view) => {
        seen.push(view);
      },
    });
    tails.push(tail);
    await expect(tail.ready).resolves.toMatchObject({
      streamArn: expect.stringContaining(tableName),
    });
    await put(tableName, "CUSTOMER#c-1", "PROFILE");
    await until(seen, "CUSTOMER#c-1");
    expect(seen.map((view) => view.kind)).toEqual(["insert"]);
  });
});
