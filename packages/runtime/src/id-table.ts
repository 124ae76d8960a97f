import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** A table keyed by a string `id`, on demand: the shape both the checkpoint and dedupe stores use. */
export function idKeyedTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}
