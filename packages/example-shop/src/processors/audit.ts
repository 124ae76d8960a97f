import type { S3Client } from "@aws-sdk/client-s3";
import { auditArchive } from "@sluice/processors";
import type { ShopItem } from "../model.js";
import { shop } from "../pipeline.js";

/**
 * Every change of every item, gzipped JSON Lines under `audit/table=Orders/`: the table's name
 * from the pipeline, not the deployed one, so the layout is the same in every stage.
 */
export const auditProcessor = (target: { s3: S3Client; bucket: string }) =>
  auditArchive<ShopItem>({ ...target, name: "audit", table: shop.table.name });
