import { execFileSync } from "node:child_process";

export { dynamoDbLocalPids as javaOnPort } from "../src/testing.js";

/** Pids of processes matching pgrep arguments; empty when none. */
export function pgrep(...args: string[]): string[] {
  try {
    return execFileSync("pgrep", args, { encoding: "utf8" }).trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}
