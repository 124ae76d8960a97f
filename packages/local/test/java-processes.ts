import { execFileSync } from "node:child_process";

/** Pids of processes matching pgrep arguments; empty when none. */
export function pgrep(...args: string[]): string[] {
  try {
    return execFileSync("pgrep", args, { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** The DynamoDB Local Java process serving `port`, not the watchdog shell around it. */
export function javaOnPort(port: string | number): string[] {
  return pgrep("-f", `^java .*DynamoDBLocal.jar.*-port ${port}$`);
}
