import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type UpdateTimeToLiveCommandInput,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";

/** A table keyed by a string `id`, on demand: the shape both the checkpoint and dedupe stores use. */
export function idKeyedTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}

/** TTL on `expiresAt`, which CreateTable cannot set: old watermarks and marks then go away. */
export function idKeyedTableTtlInput(tableName: string): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
  };
}

/**
 * Creates the table if it does not exist, waits until it is active and enables TTL on
 * `expiresAt`. For scripts and local stacks; deployed tables come from infrastructure code.
 */
export async function createIdKeyedTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(idKeyedTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  try {
    await client.send(new UpdateTimeToLiveCommand(idKeyedTableTtlInput(tableName)));
  } catch (error) {
    // Enabling TTL twice is a ValidationException ("TimeToLive is already enabled").
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}
