import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LocalStackConfig } from "@sluice/local";

/** A DynamoDB client for the local stack that counts HTTP requests per command, retries included. */
export function countingClient(
  config: LocalStackConfig,
  options: { maxAttempts?: number } = {},
): {
  client: DynamoDBClient;
  counts: Map<string, number>;
  total: () => number;
} {
  const client = new DynamoDBClient({
    region: config.region,
    credentials: config.credentials,
    endpoint: config.endpoints.dynamodb!,
    ...options,
  });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? "unknown";
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    // The deserialize step runs once per HTTP attempt, below the retry middleware.
    { step: "deserialize", name: "countRequests" },
  );
  return { client, counts, total: () => [...counts.values()].reduce((a, b) => a + b, 0) };
}
