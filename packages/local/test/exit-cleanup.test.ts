import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { javaOnPort } from "./java-processes.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Waits until no DynamoDB Local listens on `port`, or returns what is still running. */
async function javaGone(port: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let left = javaOnPort(port);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = javaOnPort(port);
  }
  return left;
}

/** Runs a process that starts DynamoDB Local and ends as `how` says, without calling stop(). */
async function runChild(how: "exit" | "throw" | "wait", signal?: NodeJS.Signals | "SIGKILL") {
  const child = spawn(
    process.execPath,
    ["--import", "./test/fixtures/register-ts.mjs", "test/fixtures/stack-child.ts", how],
    { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = once(child, "exit");
  const [line] = (await once(child.stdout, "data")) as [Buffer];
  const port = new URL(line.toString().trim()).port;
  if (signal) {
    // The child printed its endpoint once DynamoDB Local answered; it runs until the signal.
    expect(javaOnPort(port)).toHaveLength(1);
    child.kill(signal);
  }
  const [code, exitSignal] = (await exited) as [number | null, NodeJS.Signals | null];
  return { port, code, exitSignal };
}

describe("cleanup when the process ends without stop()", () => {
  it("kills DynamoDB Local on process.exit()", async () => {
    const { port, code } = await runChild("exit");
    expect(code).toBe(0);
    expect(await javaGone(port)).toEqual([]);
  });

  it("kills DynamoDB Local on an uncaught error", async () => {
    const { port, code } = await runChild("throw");
    expect(code).not.toBe(0);
    expect(await javaGone(port)).toEqual([]);
  });

  it("kills DynamoDB Local when the process is killed with SIGKILL and no hook can run", async () => {
    const { port, exitSignal } = await runChild("wait", "SIGKILL");
    expect(exitSignal).toBe("SIGKILL");
    expect(await javaGone(port)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "kills DynamoDB Local on %s and still exits by it",
    async (signal) => {
      const { port, exitSignal } = await runChild("wait", signal);
      expect(exitSignal).toBe(signal);
      expect(await javaGone(port)).toEqual([]);
    },
  );
});
