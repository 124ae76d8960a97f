import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createTerminalView, loadPipelineFile, startConsole, startDevSession } from "@sluice/dev";
import { type LocalService, type LocalStack, startLocalStack } from "@sluice/local";
import type { PipelineDefinition } from "@sluice/pipeline";
import {
  type Command,
  type CommandIo,
  EXIT_OK,
  EXIT_PARTIAL_FAILURE,
  EXIT_USAGE,
} from "../command.js";
import { DEFAULT_LOCAL_STACK_FILE } from "../local-stack-file.js";
import { write } from "../write.js";

const USAGE = `Usage: sluice dev [options]

Runs a pipeline on this machine until Ctrl-C:
  - starts the local stack on 127.0.0.1: DynamoDB Local (needs Java 17 or later), fauxqs for S3,
    SQS and SNS, and sluice's EventBridge endpoint;
  - creates the pipeline's table (with its stream and TTL) and what its subscribers need:
    checkpoint and aggregate tables, the archive bucket, the event bus, the dead-letter queue,
    and an embedded search index in place of OpenSearch;
  - runs every subscriber's handler through a local event source mapping with the subscriber's
    settings, and reloads a handler when one of its files changes;
  - shows each subscriber's traffic live, and serves a console on 127.0.0.1 with charts, the
    latest changes and the dead letters, which it can replay through the current handlers.

Handlers reach the local resources through the variables infra sets in AWS (SLUICE_*) and
AWS_ENDPOINT_URL_* for AWS SDK clients. The endpoints are written to the state file, so other
commands reach the stack with --local. On Ctrl-C everything stops and the file is removed.

Options:
  --pipeline FILE[#EXPORT] the file that defines the pipeline (default: src/pipeline.ts, or the
                           example shop's in this repository)
  --root DIR               the app's root; handler paths are relative to it (default: .)
  --console-port N         the console's port (default: a free one)
  --no-console             no console
  --stack-only             start only the local stack, no pipeline
  --state-file PATH        where to write the endpoints (default ${DEFAULT_LOCAL_STACK_FILE})
  --region REGION          region the clients sign for and ARNs carry (default us-east-1)
  --port-dynamodb N        fixed ports instead of free ones
  --port-fauxqs N
  --port-eventbridge N
  -h, --help               show this help

Examples:
  sluice dev
  sluice dev --pipeline src/pipeline.ts#orders --console-port 4000
  sluice tail --local --table Orders
`;

const SERVICES: LocalService[] = ["dynamodb", "fauxqs", "eventbridge"];

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65_535) {
    throw new Error(`${flag} must be a port number from 1 to 65535, got "${value}"`);
  }
  return number;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

async function run(args: string[], io: CommandIo): Promise<number> {
  let values: ReturnType<typeof parseOptions>;
  let ports: Partial<Record<LocalService, number>>;
  let consolePort: number | undefined;
  try {
    values = parseOptions(args);
    ports = {};
    for (const service of SERVICES) {
      const fixed = port(values[`port-${service}`], `--port-${service}`);
      if (fixed !== undefined) ports[service] = fixed;
    }
    consolePort = port(values["console-port"], "--console-port");
  } catch (error) {
    await write(io.stderr, `sluice dev: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    await write(io.stdout, USAGE);
    return EXIT_OK;
  }
  const root = resolve(values.root ?? ".");
  let pipeline: PipelineDefinition | undefined;
  if (!values["stack-only"]) {
    try {
      const loaded = await loadPipelineFile(values.pipeline, root);
      pipeline = loaded.pipeline;
      await write(io.stderr, `Pipeline ${pipeline.name} from ${relative(root, loaded.file)}\n`);
    } catch (error) {
      await write(io.stderr, `sluice dev: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const stateFile = values["state-file"] ?? DEFAULT_LOCAL_STACK_FILE;
  await write(io.stderr, "Starting DynamoDB Local, fauxqs and EventBridge...\n");
  const started = performance.now();
  const stack = await startLocalStack({
    ports,
    ...(values.region !== undefined && { region: values.region }),
  });
  const stops: (() => Promise<void> | void)[] = [() => stack.stop()];
  // Listening from here on: a Ctrl-C while the pipeline starts still cleans up.
  const interrupted = untilInterrupted();
  try {
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, `${JSON.stringify(stack.config, null, 2)}\n`);
    stops.push(() => rm(stateFile, { force: true }));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const lines = Object.entries(stack.config.endpoints).map(
      ([name, url]) => `  ${name.padEnd(12)}${url}`,
    );
    await write(
      io.stdout,
      `Local stack ready in ${seconds} s (region ${stack.region}):\n${lines.join("\n")}\n` +
        `Endpoints written to ${stateFile}; use --local with other sluice commands. Ctrl-C stops it.\n`,
    );
    if (pipeline) {
      const live = await runPipeline(pipeline, {
        root,
        stack,
        io,
        console: !values["no-console"],
        ...(consolePort !== undefined && { consolePort }),
      });
      stops.push(live.stop);
    }
    await interrupted;
    await write(io.stderr, "Stopping...\n");
  } catch (error) {
    // A taken console port, a handler path that names no file: said plainly, then cleaned up.
    await write(io.stderr, `sluice dev: ${(error as Error).message}\n`);
    return EXIT_PARTIAL_FAILURE;
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  return EXIT_OK;
}

/** Starts the pipeline's session, its console and the live view; resolves once all run. */
async function runPipeline(
  pipeline: PipelineDefinition,
  options: {
    root: string;
    stack: LocalStack;
    io: CommandIo;
    console: boolean;
    consolePort?: number;
  },
): Promise<{ stop(): Promise<void> }> {
  const view = createTerminalView({ output: options.io.stdout });
  const session = await startDevSession({
    pipeline,
    root: options.root,
    stack: options.stack,
    onLog: (subscriber, line) => view.log(`[${subscriber}] ${line}`),
    onHandler: (subscriber, event, error) => {
      if (event === "failed") view.log(`[${subscriber}] handler not loaded: ${error?.message}`);
      else if (event === "reloaded") view.log(`[${subscriber}] handler reloaded`);
    },
  });
  let server: Awaited<ReturnType<typeof startConsole>> | undefined;
  try {
    if (options.console) server = await startConsole(session, { port: options.consolePort ?? 0 });
  } catch (error) {
    view.done();
    await session.stop();
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(
        `the console's port ${options.consolePort} is taken: pick another with --console-port, or leave the flag out for a free one`,
      );
    }
    throw error;
  }
  view.log(
    `Pipeline ${pipeline.name}: table ${session.resources.tableName}, ${Object.keys(pipeline.subscribers).length} subscribers.` +
      (server ? ` Console: ${server.url}` : ""),
  );
  const render = async () => {
    view.render(await session.snapshot(), server ? { consoleUrl: server.url } : {});
  };
  await render();
  const ticker = setInterval(() => void render().catch(() => {}), 1_000);
  return {
    async stop() {
      clearInterval(ticker);
      view.done();
      await server?.close();
      await session.stop();
    },
  };
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      pipeline: { type: "string" },
      root: { type: "string" },
      "console-port": { type: "string" },
      "no-console": { type: "boolean" },
      "stack-only": { type: "boolean" },
      "state-file": { type: "string" },
      region: { type: "string" },
      "port-dynamodb": { type: "string" },
      "port-fauxqs": { type: "string" },
      "port-eventbridge": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
}

const dev: Command = { name: "dev", usage: USAGE, run };
export default dev;
