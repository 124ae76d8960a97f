import { readFile } from "node:fs/promises";
import type { ClientConfig } from "@sluice/dlq";

/** Where `sluice dev` writes the local stack's endpoints and `--local` commands read them. */
export const DEFAULT_LOCAL_STACK_FILE = ".sluice/local-stack.json";

/** Bad flags or input the user can fix; commands answer it with the usage exit code. */
export class UsageError extends Error {}

/** The local stack as `sluice dev` describes it in its state file. */
export interface LocalStackFile {
  region: string;
  credentials: NonNullable<ClientConfig["credentials"]>;
  endpoints: NonNullable<ClientConfig["endpoints"]>;
}

/** Reads the state file; a missing one is a UsageError that says to start `sluice dev`. */
export async function readLocalStackFile(
  path: string = DEFAULT_LOCAL_STACK_FILE,
  region?: string,
): Promise<LocalStackFile> {
  let stack: Partial<LocalStackFile>;
  try {
    stack = JSON.parse(await readFile(path, "utf8"));
  } catch {
    throw new UsageError(
      `--local needs the local stack's endpoints in ${path}; start it with "sluice dev", or pass --endpoint URL`,
    );
  }
  return {
    region: region ?? stack.region ?? "us-east-1",
    credentials: stack.credentials ?? { accessKeyId: "local", secretAccessKey: "local" },
    endpoints: stack.endpoints ?? {},
  };
}
