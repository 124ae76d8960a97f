import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { createLocalClients, destroyClients, type LocalStackConfig } from "@sluice/local";
import { dynamoDbLocalPids } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** Reads the child's stdout until `until` shows up, or fails when the child exits first. */
async function readUntil(
  child: ReturnType<typeof spawn>,
  output: { text: string },
  until: RegExp,
): Promise<RegExpMatchArray> {
  for (;;) {
    const match = output.text.match(until);
    if (match) return match;
    if (child.exitCode !== null) throw new Error(`sluice dev exited early: ${output.text}`);
    await once(child.stdout!, "data");
  }
}

describe("sluice dev", () => {
  it("runs the example pipeline: every subscriber's handler, the console, and plain progress lines off a terminal", {
    timeout: 120_000,
  }, async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "sluice-dev-")), "stack.json");
    const child = spawn(process.execPath, [bin, "dev", "--state-file", stateFile], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = once(child, "exit");
    const output = { text: "" };
    child.stdout.on("data", (chunk: Buffer) => {
      output.text += chunk.toString();
    });
    const [, consoleUrl] = await readUntil(child, output, /Console: (http:\/\/127\.0\.0\.1:\d+)/);
    const config = JSON.parse(readFileSync(stateFile, "utf8")) as LocalStackConfig;
    const clients = createLocalClients(config);
    try {
      await clients.dynamodb.send(
        new PutItemCommand({
          TableName: "Orders",
          Item: {
            PK: { S: "CUSTOMER#c-1" },
            SK: { S: "ORDER#o-1" },
            orderId: { S: "o-1" },
            customerId: { S: "c-1" },
            orderDate: { S: "2026-11-20T10:00:00Z" },
            status: { S: "pending" },
            total: { N: "12.5" },
            currency: { S: "EUR" },
            items: { L: [{ M: { sku: { S: "SKU-1" }, qty: { N: "1" }, price: { N: "12.5" } } }] },
            shippingAddress: { M: { city: { S: "Berlin" } } },
          },
        }),
      );
    } finally {
      destroyClients(clients);
    }
    // Off a terminal the view prints a line when a subscriber's counts change.
    await readUntil(child, output, /daily-sales processed=1 \(\+1\)/);
    const snapshot = (await (await fetch(`${consoleUrl}/api/snapshot`)).json()) as {
      pipeline: string;
      subscribers: { name: string; state: string }[];
      changes: { key: string }[];
    };
    expect(snapshot.pipeline).toBe("shop");
    expect(snapshot.subscribers.map((s) => [s.name, s.state])).toEqual([
      ["daily-sales", "running"],
      ["audit", "running"],
      ["order-search", "running"],
      ["ttl-archive", "running"],
      ["order-events", "running"],
    ]);
    expect(snapshot.changes.map((change) => change.key)).toEqual(["PK=CUSTOMER#c-1 SK=ORDER#o-1"]);
    expect(output.text).not.toContain("\u001b[");

    child.kill("SIGINT");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(existsSync(stateFile)).toBe(false);
  });

  it("runs only the local stack with --stack-only, writes its endpoints for --local, and cleans up on Ctrl-C", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "sluice-dev-")), "stack.json");
    const child = spawn(process.execPath, [bin, "dev", "--stack-only", "--state-file", stateFile], {
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

  it("says when the console's port is taken, and stops everything it started", {
    timeout: 60_000,
  }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    const stateFile = join(mkdtempSync(join(tmpdir(), "sluice-dev-")), "stack.json");
    try {
      const child = spawn(
        process.execPath,
        [bin, "dev", "--console-port", String(port), "--state-file", stateFile],
        { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const [code] = await once(child, "exit");
      expect(code).toBe(1);
      expect(stderr).toContain(`the console's port ${port} is taken`);
      expect(existsSync(stateFile)).toBe(false);
    } finally {
      taken.close();
    }
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
