import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeysAndAttributes,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { idKeyedTableInput } from "../id-table.js";
import { type DedupeStore, defaultDedupeTtlSeconds } from "./types.js";

export interface DynamoDBDedupeStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Lifetime of a mark in seconds; enable TTL on `expiresAt`. */
  ttlSeconds?: number;
  now?: () => number;
}

/** The table: a string partition key `id`, TTL on `expiresAt`. */
export function dedupeTableInput(tableName: string): CreateTableCommandInput {
  return idKeyedTableInput(tableName);
}

export class DynamoDBDedupeStore implements DedupeStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #ttl: number;
  readonly #now: () => number;

  constructor(options: DynamoDBDedupeStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#ttl = options.ttlSeconds ?? defaultDedupeTtlSeconds;
    this.#now = options.now ?? Date.now;
  }

  async seen(scope: string, eventIds: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const nowSeconds = Math.floor(this.#now() / 1000);
    const unique = [...new Set(eventIds)];
    for (let i = 0; i < unique.length; i += 100) {
      let request: KeysAndAttributes | undefined = {
        Keys: unique.slice(i, i + 100).map((id) => ({ id: { S: `${scope}|${id}` } })),
        ConsistentRead: true,
      };
      while (request?.Keys?.length) {
        const out: BatchGetItemCommandOutput = await this.#client.send(
          new BatchGetItemCommand({ RequestItems: { [this.#table]: request } }),
        );
        for (const item of out.Responses?.[this.#table] ?? []) {
          // TTL deletes lag; an expired mark counts as absent.
          if (Number(item.expiresAt?.N ?? Number.POSITIVE_INFINITY) <= nowSeconds) continue;
          const id = item.id?.S;
          if (id) found.add(id.slice(scope.length + 1));
        }
        request = out.UnprocessedKeys?.[this.#table];
      }
    }
    return found;
  }

  async mark(scope: string, eventId: string): Promise<boolean> {
    const nowSeconds = Math.floor(this.#now() / 1000);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            id: { S: `${scope}|${eventId}` },
            expiresAt: { N: String(nowSeconds + this.#ttl) },
          },
          ConditionExpression: "attribute_not_exists(id) OR expiresAt <= :now",
          ExpressionAttributeValues: { ":now": { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
