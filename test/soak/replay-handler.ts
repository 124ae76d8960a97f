// The fixed handler for `sluice replay --handler replay-handler.ts#handler`: the soak's handler
// without faults, so poison changes apply. SOAK_RUN_FILE names the run file, which holds the
// local stack's config (what --local-config reads) and the run's resources.
import { readFile } from "node:fs/promises";
import { loadPackages } from "./packages.ts";
import { type RunFile, soakHandler } from "./soak-handler.ts";

const path = process.env.SOAK_RUN_FILE;
if (!path) throw new Error("SOAK_RUN_FILE is not set: it names the soak's run file.");
const file = JSON.parse(await readFile(path, "utf8")) as RunFile;
const packages = await loadPackages();
const clients = packages.local.createLocalClients(file);

export const { handler } = soakHandler(
  packages,
  { effects: clients.dynamodb, store: clients.dynamodb, sqs: clients.sqs, s3: clients.s3 },
  file.run,
  { log: (line) => process.stderr.write(`${line}\n`) },
);
