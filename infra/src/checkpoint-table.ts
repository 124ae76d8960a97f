import { dynamodb } from "@pulumi/aws";
import type { CustomResourceOptions } from "@pulumi/pulumi";
import type { StageSettings } from "./stage.js";

/**
 * The table of sluice's checkpoints (@sluice/runtime's checkpointTableInput and TTL input): a
 * string `id`, on demand, watermarks expiring through TTL on `expiresAt`. Encrypted at rest with
 * DynamoDB's own key, which costs nothing; the watermarks hold no record data.
 */
export function checkpointTable(
  name: string,
  stage: StageSettings,
  opts: CustomResourceOptions,
): dynamodb.Table {
  return new dynamodb.Table(
    name,
    {
      attributes: [{ name: "id", type: "S" }],
      hashKey: "id",
      billingMode: "PAY_PER_REQUEST",
      ttl: { attributeName: "expiresAt", enabled: true },
      deletionProtectionEnabled: stage.retain,
    },
    { ...opts, retainOnDelete: stage.retain },
  );
}
