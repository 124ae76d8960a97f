import type { TableDefinition } from "@sluice/pipeline";
import type { StageSettings } from "../src/index";

/** The pipeline's table as `sst.aws.Dynamo`: keys, stream and TTL from the definition. */
export function sourceTable(name: string, table: TableDefinition, stage: StageSettings) {
  const keys = table.sortKey ? [table.partitionKey, table.sortKey] : [table.partitionKey];
  return new sst.aws.Dynamo(name, {
    fields: Object.fromEntries(keys.map((key) => [key.name, key.type])),
    primaryIndex: { hashKey: table.partitionKey.name, rangeKey: table.sortKey?.name },
    stream: table.stream.toLowerCase().replaceAll("_", "-") as
      | "keys-only"
      | "new-image"
      | "old-image"
      | "new-and-old-images",
    ...(table.ttlAttribute && { ttl: table.ttlAttribute }),
    deletionProtection: stage.retain,
  });
}
