import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { useLocalStack } from "@sluice/local/testing";
import { beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const stack = useLocalStack();
const { dynamodb } = stack.clients;

let dir: string;
let localConfig: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-tail-"));
  localConfig = join(dir, "local-stack.json");
  await writeFile(localConfig, JSON.stringify(stack.config));
});

function sluice(args: string[]) {
  const result = spawnSync(process.execPath, [bin, "tail", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `sluice tail` until the test sends Ctrl-C; `output` holds what it printed so far. */
function follow(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [bin, "tail", ...args], {
    cwd: dir,
  });
  const exited = once(child, "exit");
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  /** Resolves once the output has `text`; fails if the command ended first. */
  const until = async (stream: "stdout" | "stderr", text: string) => {
    while (!output[stream].includes(text)) {
      if (child.exitCode !== null) {
        throw new Error(`sluice tail exited early: ${output.stdout}${output.stderr}`);
      }
      await once(child[stream], "data");
    }
  };
  return { child, exited, output, until };
}

async function streamTable() {
  const { tableName } = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
  return tableName;
}

describe("sluice tail", () => {
  it("prints each change written to a local table as a line, and stops cleanly on Ctrl-C", async () => {
    const tableName = await streamTable();
    const tail = follow(["--table", tableName, "--local-config", localConfig]);
    await tail.until("stderr", "Ctrl-C stops");

    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          PK: { S: "CUSTOMER#c-1" },
          SK: { S: "PROFILE" },
          name: { S: "Ada" },
          visits: { N: "1" },
        },
      }),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { PK: { S: "CUSTOMER#c-1" }, SK: { S: "PROFILE" } },
        UpdateExpression: "SET visits = :v",
        ExpressionAttributeValues: { ":v": { N: "2" } },
      }),
    );
    await tail.until("stdout", "MODIFY");

    tail.child.kill("SIGINT");
    const [code] = await tail.exited;
    expect(code).toBe(0);
    const lines = tail.output.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d {2}INSERT {8}PK=CUSTOMER#c-1 SK=PROFILE {2}name="Ada" visits=1$/,
    );
    expect(lines[1]).toMatch(/ {2}MODIFY {8}PK=CUSTOMER#c-1 SK=PROFILE {2}visits: 1 → 2$/);
  });

  it("prints JSON lines with --json, only for the entity asked for", async () => {
    const tableName = await streamTable();
    const tail = follow([
      "--table",
      tableName,
      "--local-config",
      localConfig,
      "--json",
      "--entity",
      "order",
    ]);
    await tail.until("stderr", "Ctrl-C stops");
    for (const pk of ["CUSTOMER#c-1", "ORDER#o-1"]) {
      await dynamodb.send(
        new PutItemCommand({ TableName: tableName, Item: { PK: { S: pk }, SK: { S: "A" } } }),
      );
    }
    await tail.until("stdout", "\n");

    tail.child.kill("SIGTERM");
    const [code] = await tail.exited;
    expect(code).toBe(0);
    const lines = tail.output.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        kind: "insert",
        key: "PK=ORDER#o-1 SK=A",
        entity: "ORDER",
        keys: { PK: "ORDER#o-1", SK: "A" },
        newImage: { PK: "ORDER#o-1", SK: "A" },
      }),
    ]);
  });

  it("rejects bad flags with the usage exit code and says what is wrong", () => {
    const unknown = sluice(["--tabel", "Orders"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--tabel");
    expect(unknown.stderr).toContain('Run "sluice tail --help" for usage.');

    const noTable = sluice(["--local"]);
    expect(noTable.status).toBe(2);
    expect(noTable.stderr).toContain("give the table to follow: --table NAME");

    const badFrom = sluice(["--table", "Orders", "--from", "yesterday"]);
    expect(badFrom.status).toBe(2);
    expect(badFrom.stderr).toContain('--from takes latest or trim-horizon, got "yesterday"');

    const both = sluice(["--table", "Orders", "--local", "--endpoint", "http://127.0.0.1:8000"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("give --local or --endpoint, not both");
  });

  it("shows its help", () => {
    const help = sluice(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: sluice tail --table NAME/);
  });

  it("says how to enable a stream, and that a table does not exist", async () => {
    const { tableName } = await stack.createTable();
    const noStream = sluice(["--table", tableName, "--local-config", localConfig]);
    expect(noStream.status).toBe(2);
    expect(noStream.stderr).toContain(`Table ${tableName} has no stream`);
    expect(noStream.stderr).toContain("--stream-specification StreamEnabled=true");

    const missing = sluice(["--table", "no-such-table", "--local-config", localConfig]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("Table no-such-table does not exist");
  });

  it("says to run sluice dev when the local stack is not running", async () => {
    const noFile = sluice(["--table", "Orders", "--local-config", join(dir, "absent.json")]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('start it with "sluice dev"');

    // A state file left behind by a stack that is gone: its port answers no more.
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as { port: number };
    server.close();
    await once(server, "close");
    const stale = join(dir, "stale.json");
    await writeFile(
      stale,
      JSON.stringify({ ...stack.config, endpoints: { dynamodb: `http://127.0.0.1:${port}` } }),
    );
    const down = sluice(["--table", "Orders", "--local-config", stale]);
    expect(down.status).toBe(2);
    expect(down.stderr).toContain(
      `does not answer at http://127.0.0.1:${port}; start it with "sluice dev"`,
    );
  });
});
