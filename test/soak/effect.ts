// The handler's effect: not idempotent, and outside the handler's process, so an application by
// a late call or by the replay CLI counts the same as one by the mapping. Per applied record, its
// counter goes up by one and its sequence number goes at the end of its item's list.
import type { Sdk, Sender } from "./packages.ts";

export interface Effects {
  /** Applications per eventID. */
  counts: Map<string, number>;
  /** Per item, the sequence numbers of its applied changes in the order they were applied. */
  applied: Map<string, string[]>;
}

export const effectsTableInput = (tableName: string) => ({
  TableName: tableName,
  AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  BillingMode: "PAY_PER_REQUEST",
});

export async function applyEffect(
  sdk: Sdk,
  dynamodb: Sender,
  tableName: string,
  change: { eventId: string; item: string; sequenceNumber: string },
): Promise<void> {
  await dynamodb.send(
    new sdk.dynamodb.UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: `event#${change.eventId}` } },
      UpdateExpression: "ADD applied :one",
      ExpressionAttributeValues: { ":one": { N: "1" } },
    }),
  );
  await dynamodb.send(
    new sdk.dynamodb.UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: `item#${change.item}` } },
      UpdateExpression: "SET applied = list_append(if_not_exists(applied, :none), :sequence)",
      ExpressionAttributeValues: {
        ":none": { L: [] },
        ":sequence": { L: [{ S: change.sequenceNumber }] },
      },
    }),
  );
}

interface ScanOutput {
  Items?: { id: { S: string }; applied: { N?: string; L?: { S: string }[] } }[];
  LastEvaluatedKey?: object;
}

export async function readEffects(sdk: Sdk, dynamodb: Sender, tableName: string): Promise<Effects> {
  const effects: Effects = { counts: new Map(), applied: new Map() };
  let start: object | undefined;
  do {
    const page = (await dynamodb.send(
      new sdk.dynamodb.ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...(start && { ExclusiveStartKey: start }),
      }),
    )) as ScanOutput;
    for (const { id, applied } of page.Items ?? []) {
      const key = id.S.slice(id.S.indexOf("#") + 1);
      if (id.S.startsWith("event#")) effects.counts.set(key, Number(applied.N));
      else
        effects.applied.set(
          key,
          (applied.L ?? []).map((entry) => entry.S),
        );
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return effects;
}
