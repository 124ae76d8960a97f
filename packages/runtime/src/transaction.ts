import { createHash } from "node:crypto";
import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBCheckpointStore } from "./checkpoint/dynamodb.js";
import type { CheckpointKey, CheckpointState } from "./checkpoint/types.js";

/** TransactWriteItems takes at most 100 actions and 4 MB; keep headroom for request overhead. */
export const maxTransactActions = 100;
export const maxTransactBytes = 4 * 1024 * 1024 - 64 * 1024;

export interface TransactWithCheckpointInput {
  client: DynamoDBClient;
  /** The effect's writes (Put, Update, Delete, ConditionCheck), one per item. */
  writes: TransactWriteItem[];
  checkpoint: {
    store: DynamoDBCheckpointStore;
    key: CheckpointKey;
    next: CheckpointState;
    previous: CheckpointState | undefined;
  };
  /** Identifies the batch, e.g. its first and last sequence numbers: same batch, same tokens. */
  batchId: string;
}

/** Approximate wire size of an action: its JSON text bounds DynamoDB's item size accounting. */
const sizeOf = (item: TransactWriteItem): number =>
  Buffer.byteLength(
    JSON.stringify(item, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v,
    ),
  );

/** Splits actions into chunks within the action and size limits, leaving room for `reserve`. */
export function chunkActions(
  writes: TransactWriteItem[],
  reserve: TransactWriteItem,
): TransactWriteItem[][] {
  const reserveBytes = sizeOf(reserve);
  const chunks: TransactWriteItem[][] = [];
  let chunk: TransactWriteItem[] = [];
  let bytes = 0;
  for (const write of writes) {
    const size = sizeOf(write);
    if (size + reserveBytes > maxTransactBytes) {
      throw new Error(
        "A single write is larger than a transaction can carry (4 MB); split the item or write it outside the transaction.",
      );
    }
    if (chunk.length + 1 >= maxTransactActions || bytes + size + reserveBytes > maxTransactBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(write);
    bytes += size;
  }
  chunks.push(chunk);
  return chunks;
}

/** A ClientRequestToken (at most 36 characters) derived from the batch and the chunk. */
export function requestToken(batchId: string, chunk: number): string {
  return createHash("sha256").update(`${batchId}#${chunk}`).digest("hex").slice(0, 36);
}

/**
 * Writes the effect and moves the checkpoint in TransactWriteItems: all or nothing when it fits
 * one transaction (99 writes and 4 MB). Larger effects go in several transactions with the
 * checkpoint in the last, so a failure in between leaves the checkpoint behind and the batch is
 * redone: make such writes idempotent (Put or SET, not ADD). Tokens come from the batch, so a
 * retry within DynamoDB's 10-minute window is not applied twice.
 */
export async function transactWithCheckpoint(input: TransactWithCheckpointInput): Promise<number> {
  const { store, key, next, previous } = input.checkpoint;
  const checkpointAction = store.transactItem(key, next, previous);
  const chunks = chunkActions(input.writes, checkpointAction);
  for (const [index, chunk] of chunks.entries()) {
    const items = index === chunks.length - 1 ? [...chunk, checkpointAction] : chunk;
    await input.client.send(
      new TransactWriteItemsCommand({
        TransactItems: items,
        ClientRequestToken: requestToken(input.batchId, index),
      }),
    );
  }
  return chunks.length;
}
