import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { idKeyedTableInput } from "../id-table.js";
import type { CheckpointKey, CheckpointState, CheckpointStore, WriteResult } from "./types.js";

/**
 * Sequence numbers have up to 40 digits and DynamoDB numbers hold 38 significant ones, so the
 * watermark is stored as a string left-padded with zeros to 40 digits: for strings of equal
 * length, DynamoDB's byte-wise `<` is numeric order.
 */
export const sequenceWidth = 40;

export const pad = (sequenceNumber: string): string => sequenceNumber.padStart(sequenceWidth, "0");
const unpad = (stored: string): string => stored.replace(/^0+(?=\d)/, "");

export interface DynamoDBCheckpointStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** The table the store needs: a string partition key `id`; TTL on `expiresAt` for resume points. */
export function checkpointTableInput(tableName: string): CreateTableCommandInput {
  return idKeyedTableInput(tableName);
}

/**
 * Checkpoints in DynamoDB: one item per (pipeline, processor, scope), read with one strongly
 * consistent GetItem and moved with one conditional UpdateItem per batch.
 */
export class DynamoDBCheckpointStore implements CheckpointStore {
  readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(options: DynamoDBCheckpointStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  #key(key: CheckpointKey): Record<string, AttributeValue> {
    return { id: { S: `${key.pipeline}|${key.processor}|${key.scope}` } };
  }

  async read(key: CheckpointKey): Promise<CheckpointState | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: this.#key(key), ConsistentRead: true }),
    );
    const seq = Item?.seq?.S;
    if (seq === undefined) return undefined;
    return { sequenceNumber: unpad(seq), finished: Item?.finished?.SS ?? [] };
  }

  /**
   * The conditional update. Moving the watermark forward replaces the finished list and is
   * guarded by `seq < :seq`; keeping it adds to the list and is guarded by `seq = :seq`. Either
   * way a writer that is behind cannot move the checkpoint backwards.
   */
  updateInput(
    key: CheckpointKey,
    next: CheckpointState,
    previous: CheckpointState | undefined,
    options: { expiresAt?: number } = {},
  ): UpdateItemCommandInput {
    // Deterministic parameters: a transaction retried with the same ClientRequestToken must
    // send the same request, so no timestamps here.
    const values: Record<string, AttributeValue> = { ":seq": { S: pad(next.sequenceNumber) } };
    const set: string[] = [];
    if (options.expiresAt !== undefined) {
      set.push("expiresAt = :exp");
      values[":exp"] = { N: String(options.expiresAt) };
    }
    const advancing = !previous || BigInt(next.sequenceNumber) > BigInt(previous.sequenceNumber);
    if (advancing) {
      set.push("seq = :seq");
      if (next.finished.length > 0) {
        set.push("finished = :fin");
        values[":fin"] = { SS: next.finished };
      }
      return {
        TableName: this.tableName,
        Key: this.#key(key),
        UpdateExpression: `SET ${set.join(", ")}${next.finished.length > 0 ? "" : " REMOVE finished"}`,
        ConditionExpression: "attribute_not_exists(seq) OR seq < :seq",
        ExpressionAttributeValues: values,
      };
    }
    values[":fin"] = { SS: next.finished };
    return {
      TableName: this.tableName,
      Key: this.#key(key),
      UpdateExpression: `${set.length > 0 ? `SET ${set.join(", ")} ` : ""}ADD finished :fin`,
      ConditionExpression: "seq = :seq",
      ExpressionAttributeValues: values,
    };
  }

  /** The same update as a TransactWriteItems action, to commit it with the effect's writes. */
  transactItem(
    key: CheckpointKey,
    next: CheckpointState,
    previous: CheckpointState | undefined,
    options: { expiresAt?: number } = {},
  ): TransactWriteItem {
    const input = this.updateInput(key, next, previous, options);
    return {
      Update: {
        TableName: input.TableName,
        Key: input.Key,
        UpdateExpression: input.UpdateExpression,
        ConditionExpression: input.ConditionExpression,
        ExpressionAttributeValues: input.ExpressionAttributeValues,
      },
    } as TransactWriteItem;
  }

  async write(
    key: CheckpointKey,
    next: CheckpointState,
    previous: CheckpointState | undefined,
    options: { expiresAt?: number } = {},
  ): Promise<WriteResult> {
    try {
      await this.client.send(new UpdateItemCommand(this.updateInput(key, next, previous, options)));
      return "written";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return "stale";
      throw error;
    }
  }
}
