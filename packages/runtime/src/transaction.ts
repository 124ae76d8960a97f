import { createHash } from "node:crypto";
import {
  type DynamoDBClient,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { maxTransactActions } from "./checkpoint/dynamodb.js";

/** TransactWriteItems carries at most 4 MB; keep headroom for request overhead. */
export const maxTransactBytes = 4 * 1024 * 1024 - 64 * 1024;

export interface TransactWithCheckpointInput {
  client: DynamoDBClient;
  /** The effect's writes (Put, Update, Delete, ConditionCheck), one per item. */
  writes: TransactWriteItem[];
  /** The watermark updates that record the effect as applied (`DynamoDBCheckpointStore.updateAction`). */
  checkpoint: TransactWriteItem[];
  /** Identifies the batch, e.g. its sequence numbers: same batch, same tokens. */
  batchId: string;
}

/** Approximate wire size of an action: its JSON text bounds DynamoDB's item size accounting. */
const sizeOf = (item: TransactWriteItem): number =>
  Buffer.byteLength(
    JSON.stringify(item, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v,
    ),
  );

/** Splits actions, in order, into chunks within the action and size limits. */
export function chunkActions(actions: TransactWriteItem[]): TransactWriteItem[][] {
  const chunks: TransactWriteItem[][] = [];
  let chunk: TransactWriteItem[] = [];
  let bytes = 0;
  for (const action of actions) {
    const size = sizeOf(action);
    if (size > maxTransactBytes) {
      throw new Error(
        "A single write is larger than a transaction can carry (4 MB); split the item or write it outside the transaction.",
      );
    }
    if (chunk.length === maxTransactActions || bytes + size > maxTransactBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(action);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** A ClientRequestToken (at most 36 characters) derived from the batch and the chunk. */
export function requestToken(batchId: string, chunk: number): string {
  return createHash("sha256").update(`${batchId}#${chunk}`).digest("hex").slice(0, 36);
}

/**
 * Writes the effect and the watermarks in TransactWriteItems: all or nothing when they fit one
 * transaction (100 actions, 4 MB). Larger ones go in several transactions, the watermarks last,
 * so a failure in between leaves them behind and the effect is redone: keep effect plus distinct
 * items within 100, or make the writes idempotent (Put or SET, not ADD). Tokens come from the
 * batch, so a retry within DynamoDB's 10-minute window is not applied twice. Returns the number
 * of transactions sent.
 */
export async function transactWithCheckpoint(input: TransactWithCheckpointInput): Promise<number> {
  const chunks = chunkActions([...input.writes, ...input.checkpoint]);
  for (const [index, chunk] of chunks.entries()) {
    await input.client.send(
      new TransactWriteItemsCommand({
        TransactItems: chunk,
        ClientRequestToken: requestToken(input.batchId, index),
      }),
    );
  }
  return chunks.length;
}
