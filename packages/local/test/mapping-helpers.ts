import { type AttributeValue, DeleteItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { type LocalTestStack, useLocalStack } from "@sluice/local/testing";
import type { DynamoDBRecord } from "aws-lambda";
import { afterEach } from "vitest";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type MappingEvent,
} from "../src/mapping/index.js";

const started: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((mapping) => mapping.stop()));
});

export interface MappingTable {
  local: LocalTestStack;
  tableName: string;
  streamArn: string;
  put(pk: string, sk: string, attributes?: Record<string, AttributeValue>): Promise<void>;
  remove(pk: string, sk: string): Promise<void>;
  /** Creates a mapping on this table's stream with the stack's clients; stopped after the test. */
  mapping(
    options: Omit<EventSourceMappingOptions, "clients" | "streamArn" | "tableName">,
  ): EventSourceMapping;
}

export async function streamTable(options: { ttlAttribute?: string } = {}): Promise<MappingTable> {
  const local = useLocalStack();
  const table = await local.createTable({ stream: "NEW_AND_OLD_IMAGES", ...options });
  const { tableName } = table;
  return {
    local,
    tableName,
    streamArn: table.streamArn as string,
    put: async (pk, sk, attributes = {}) => {
      await local.clients.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { PK: { S: pk }, SK: { S: sk }, ...attributes },
        }),
      );
    },
    remove: async (pk, sk) => {
      await local.clients.dynamodb.send(
        new DeleteItemCommand({ TableName: tableName, Key: { PK: { S: pk }, SK: { S: sk } } }),
      );
    },
    mapping: (options) => {
      const mapping = createEventSourceMapping({
        ...options,
        streamArn: table.streamArn as string,
        clients: local.clients,
      } as EventSourceMappingOptions);
      started.push(mapping);
      return mapping;
    },
  };
}

/** Records of each invocation, as the handler received them. */
export function recordsOf(mapping: EventSourceMapping): DynamoDBRecord[][] {
  return mapping.invocations.map((invocation) => (invocation.event as MappingEvent).Records);
}

/** The sort key of each record, per invocation: short to compare in assertions. */
export function sortKeysOf(mapping: EventSourceMapping): string[][] {
  return recordsOf(mapping).map((records) =>
    records.map((record) => record.dynamodb?.Keys?.SK?.S as string),
  );
}

export function sequenceOf(record: DynamoDBRecord): string {
  return record.dynamodb?.SequenceNumber as string;
}

export { eventually } from "../src/testing.js";
