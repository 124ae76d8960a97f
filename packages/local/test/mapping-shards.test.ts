import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { createEventSourceMapping, type EventSourceMapping } from "../src/mapping/index.js";

const STREAM = "arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-11-21T00:00:00.000";

function record(sequence: number): _Record {
  return {
    eventID: `e${sequence}`,
    eventName: "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: new Date(),
      Keys: { PK: { S: `P#${sequence}` } },
      SequenceNumber: String(sequence),
      SizeBytes: 10,
      StreamViewType: "KEYS_ONLY",
    },
  };
}

/**
 * DynamoDB Local keeps one shard per stream, so it cannot split one. This stands in for the
 * Streams API with a closed parent shard and its open child, and logs the calls made to it.
 */
function splitStream() {
  const calls: string[] = [];
  const pages: Record<string, { Records: _Record[]; NextShardIterator?: string }> = {
    "parent:0": { Records: [record(101), record(102)], NextShardIterator: "parent:1" },
    "parent:1": { Records: [] },
    "child:0": { Records: [record(201)], NextShardIterator: "child:1" },
    "child:1": { Records: [], NextShardIterator: "child:1" },
  };
  const client = {
    config: { region: async () => "us-east-1" },
    send: async (command: unknown) => {
      if (command instanceof DescribeStreamCommand) {
        calls.push("DescribeStream");
        return {
          StreamDescription: {
            StreamStatus: "ENABLED",
            Shards: [
              {
                ShardId: "child",
                ParentShardId: "parent",
                SequenceNumberRange: { StartingSequenceNumber: "201" },
              },
              {
                ShardId: "parent",
                SequenceNumberRange: { StartingSequenceNumber: "101", EndingSequenceNumber: "102" },
              },
            ],
          },
        };
      }
      if (command instanceof GetShardIteratorCommand) {
        calls.push(`GetShardIterator ${command.input.ShardId}`);
        return { ShardIterator: `${command.input.ShardId}:0` };
      }
      if (command instanceof GetRecordsCommand) {
        calls.push(`GetRecords ${command.input.ShardIterator}`);
        return pages[command.input.ShardIterator as string];
      }
      throw new Error(`unexpected command ${String(command)}`);
    },
  };
  return { client: client as unknown as DynamoDBStreamsClient, calls };
}

let mapping: EventSourceMapping | undefined;
afterEach(() => mapping?.stop());

describe("event source mapping: shards", () => {
  it("reads a child shard only after every record of its parent is processed", async () => {
    const { client, calls } = splitStream();
    const seen: string[] = [];
    mapping = createEventSourceMapping({
      streamArn: STREAM,
      clients: { streams: client },
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 1,
      handler: (event: DynamoDBStreamEvent) => {
        const sequences = event.Records.map((r) => r.dynamodb?.SequenceNumber as string);
        // The parent's batch fails once: the child must still wait for it.
        if (sequences.includes("101") && !seen.includes("failed")) {
          seen.push("failed");
          expect(calls).not.toContain("GetShardIterator child");
          throw new Error("transient");
        }
        seen.push(...sequences);
      },
    });
    await mapping.start();
    await mapping.waitForIdle();

    expect(seen).toEqual(["failed", "101", "102", "201"]);
    expect(calls.indexOf("GetShardIterator child")).toBeGreaterThan(
      calls.indexOf("GetRecords parent:1"),
    );
    expect(mapping.stats().shards).toEqual({ parent: "finished", child: "reading" });
    expect(mapping.stats().checkpoints).toEqual({ parent: "102", child: "201" });
  });

  it("starts LATEST at the tip of open shards and skips closed ones", async () => {
    const { client, calls } = splitStream();
    mapping = createEventSourceMapping({
      streamArn: STREAM,
      clients: { streams: client },
      StartingPosition: "LATEST",
      handler: () => {},
    });
    await mapping.start();
    await mapping.waitForIdle();
    expect(calls).not.toContain("GetShardIterator parent");
    expect(mapping.stats().shards).toEqual({ parent: "finished", child: "reading" });
  });
});
