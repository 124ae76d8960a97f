import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type CreateTableCommandInput,
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { idKeyedTableInput } from "../id-table.js";
import type { CheckpointStore, ItemWatermark } from "./types.js";

/**
 * Sequence numbers have up to 40 digits and DynamoDB numbers hold 38 significant ones, so a
 * watermark is stored as a string left-padded with zeros to 40 digits: for strings of equal
 * length, DynamoDB's byte-wise `<` is numeric order.
 */
export const sequenceWidth = 40;

export const pad = (sequenceNumber: string): string => sequenceNumber.padStart(sequenceWidth, "0");
const unpad = (stored: string): string => stored.replace(/^0+(?=\d)/, "");

/** BatchGetItem reads at most 100 keys; TransactWriteItems takes at most 100 actions. */
const maxBatchGetKeys = 100;
export const maxTransactActions = 100;

export interface DynamoDBCheckpointStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** The table the store needs: a string partition key `id`. TTL on `expiresAt` is set separately. */
export function checkpointTableInput(tableName: string): CreateTableCommandInput {
  return idKeyedTableInput(tableName);
}

/**
 * Watermarks in DynamoDB, one item each: read with one strongly consistent BatchGetItem and
 * moved with one TransactWriteItems per 100 items, so a batch of up to 100 records costs two
 * requests. The transaction makes every update conditional (a watermark never moves down)
 * without a request per item.
 */
export class DynamoDBCheckpointStore implements CheckpointStore {
  readonly client: DynamoDBClient;
  readonly tableName: string;

  constructor(options: DynamoDBCheckpointStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async read(ids: string[]): Promise<Map<string, ItemWatermark>> {
    const found = new Map<string, ItemWatermark>();
    for (let start = 0; start < ids.length; start += maxBatchGetKeys) {
      let keys: Record<string, AttributeValue>[] | undefined = ids
        .slice(start, start + maxBatchGetKeys)
        .map((id) => ({ id: { S: id } }));
      // DynamoDB may leave keys unprocessed under load; ask again for those, a few times.
      for (let round = 0; keys && keys.length > 0; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
        if (round === 5) {
          throw Object.assign(new Error("BatchGetItem kept keys unprocessed; retry later."), {
            name: "ProvisionedThroughputExceededException",
            $retryable: {},
          });
        }
        const result: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: "id, seq, finished",
              },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const id = item.id?.S;
          if (!id || !item.seq?.S) continue;
          const watermark: ItemWatermark = { id, sequenceNumber: unpad(item.seq.S) };
          if (item.finished?.SS) watermark.finished = item.finished.SS;
          found.set(id, watermark);
        }
        keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  /**
   * The update of one watermark as a transaction action. `mustBeBelow`, when given, is a
   * sequence number the stored watermark must be below: a batch processor's effect must not land
   * on top of a delivery that already applied it. Otherwise any watermark up to the new one may
   * be replaced, so resending after a lost response is harmless.
   */
  updateAction(
    watermark: ItemWatermark,
    mustBeBelow?: string,
    options: { noFinished?: boolean } = {},
  ): TransactWriteItem {
    const values: Record<string, AttributeValue> = { ":seq": { S: pad(watermark.sequenceNumber) } };
    let set = "seq = :seq";
    if (watermark.expiresAt !== undefined) {
      set += ", expiresAt = :exp";
      values[":exp"] = { N: String(watermark.expiresAt) };
    }
    const finished = watermark.finished ?? [];
    if (finished.length > 0) {
      set += ", finished = :fin";
      values[":fin"] = { SS: finished };
    }
    let condition = "attribute_not_exists(seq) OR seq <= :seq";
    if (mustBeBelow !== undefined) {
      condition = "attribute_not_exists(seq) OR seq < :below";
      values[":below"] = { S: pad(mustBeBelow) };
      if (options.noFinished) {
        condition =
          "attribute_not_exists(seq) OR (seq < :below AND attribute_not_exists(finished))";
      }
    }
    return {
      Update: {
        TableName: this.tableName,
        Key: { id: { S: watermark.id } },
        UpdateExpression: `SET ${set}${finished.length > 0 ? "" : " REMOVE finished"}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      },
    };
  }

  async write(watermarks: ItemWatermark[]): Promise<void> {
    for (let start = 0; start < watermarks.length; start += maxTransactActions) {
      let pending = watermarks.slice(start, start + maxTransactActions);
      while (pending.length > 0) {
        try {
          await this.client.send(
            new TransactWriteItemsCommand({
              TransactItems: pending.map((watermark) => this.updateAction(watermark)),
            }),
          );
          pending = [];
        } catch (error) {
          // A watermark already ahead cancels the transaction: drop those and send the rest.
          const ahead = conditionFailures(error);
          if (!ahead) throw error;
          pending = pending.filter((_, index) => !ahead.has(index));
        }
      }
    }
  }
}

/**
 * The positions whose condition failed when a transaction was cancelled only for that reason;
 * undefined when anything else (a conflict, throttling) cancelled it, which the caller retries.
 */
export function conditionFailures(error: unknown): Set<number> | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const failed = new Set<number>();
  for (const [index, reason] of (error.CancellationReasons ?? []).entries()) {
    if (reason.Code === "ConditionalCheckFailed") failed.add(index);
    else if (reason.Code && reason.Code !== "None") return undefined;
  }
  return failed.size > 0 ? failed : undefined;
}
