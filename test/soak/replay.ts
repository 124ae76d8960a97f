// Runs `sluice replay` as a user would: the built CLI in its own process, with the fixed handler.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));
const fixedHandler = fileURLToPath(new URL("./replay-handler.ts", import.meta.url));

/** The CLI's `--json` summary. */
export interface ReplaySummary {
  messages: number;
  replayed: number;
  skipped: number;
  failedAgain: number;
  expired: number;
  malformed: number;
}

export interface ReplayRun {
  exitCode: number;
  summary?: ReplaySummary;
  /** What the CLI and the handler wrote to stderr, for the report when something failed. */
  stderr: string;
}

/**
 * `runFile` holds the stack's endpoints for `--local-config` and the run's resources for the
 * replay handler; the progress file makes a second run with the same file a resumption.
 */
export function runReplay(options: {
  queueUrl: string;
  runFile: string;
  progressFile: string;
  cwd: string;
}): Promise<ReplayRun> {
  const args = [
    cli,
    "replay",
    "sluice-sqs",
    options.queueUrl,
    "--handler",
    `${fixedHandler}#handler`,
    "--local",
    "--local-config",
    options.runFile,
    "--progress",
    options.progressFile,
    "--wait",
    "1",
    "--json",
  ];
  // process.execPath: under pnpm that is the workspace's pinned Node.
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, SOAK_RUN_FILE: options.runFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      let summary: ReplaySummary | undefined;
      try {
        summary = JSON.parse(last) as ReplaySummary;
      } catch {
        stderr += `\n(stdout was not a JSON summary: ${stdout.slice(0, 500)})`;
      }
      resolve({ exitCode: code ?? -1, ...(summary && { summary }), stderr });
    });
  });
}
