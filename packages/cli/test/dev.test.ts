import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { createLocalClients, destroyClients, type LocalStackConfig } from "@sluice/local";
import { dynamoDbLocalPids } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

describe("sluice dev", () => {
  it("runs the local stack, writes its endpoints for --local, and cleans up on Ctrl-C", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "sluice-dev-")), "stack.json");
    const child = spawn(process.execPath, [bin, "dev", "--state-file", stateFile], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = once(child, "exit");
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    while (!stdout.includes("Ctrl-C stops it")) {
      if (child.exitCode !== null) throw new Error(`sluice dev exited early: ${stdout}`);
      await once(child.stdout, "data");
    }

    const config = JSON.parse(readFileSync(stateFile, "utf8")) as LocalStackConfig;
    expect(stdout).toContain(config.endpoints.dynamodb);
    const clients = createLocalClients(config);
    try {
      await expect(clients.dynamodb.send(new ListTablesCommand({}))).resolves.toBeDefined();
      await expect(clients.sqs.send(new ListQueuesCommand({}))).resolves.toBeDefined();
    } finally {
      destroyClients(clients);
    }
    const port = new URL(config.endpoints.dynamodb!).port;
    expect(dynamoDbLocalPids(port)).toHaveLength(1);

    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(existsSync(stateFile)).toBe(false);
    expect(dynamoDbLocalPids(port)).toEqual([]);
  });

  it("rejects a bad port with the usage text", () => {
    const result = (() => {
      try {
        execFileSync(process.execPath, [bin, "dev", "--port-dynamodb", "99999"], {
          cwd: root,
          encoding: "utf8",
          stdio: "pipe",
        });
        return { status: 0, stderr: "" };
      } catch (error) {
        return error as { status: number; stderr: string };
      }
    })();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--port-dynamodb must be a port number");
  });
});
