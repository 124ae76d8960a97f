import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { type LocalService, startLocalStack } from "@sluice/local";
import { type Command, type CommandIo, EXIT_OK, EXIT_USAGE } from "../command.js";
import { DEFAULT_LOCAL_STACK_FILE } from "../local-stack-file.js";
import { write } from "../write.js";

const USAGE = `Usage: sluice dev [options]

Starts the local stack on 127.0.0.1 and keeps it running until Ctrl-C:
  DynamoDB Local (with streams; needs Java 17 or later)
  fauxqs for S3, SQS and SNS
  sluice's EventBridge endpoint (PutEvents, rules with event patterns, SQS targets)

It prints the endpoints and writes them, with the region and credentials, to the state file, so
other commands reach the stack with --local (for example "sluice replay ... --local") and scripts
can read it. On Ctrl-C it stops every server and removes the file.

Options:
  --state-file PATH        where to write the endpoints (default ${DEFAULT_LOCAL_STACK_FILE})
  --region REGION          region the clients sign for and ARNs carry (default us-east-1)
  --port-dynamodb N        fixed ports instead of free ones
  --port-fauxqs N
  --port-eventbridge N
  -h, --help               show this help

Example:
  sluice dev &
  aws dynamodb list-tables --endpoint-url "$(jq -r .endpoints.dynamodb ${DEFAULT_LOCAL_STACK_FILE})"
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
  try {
    values = parseOptions(args);
    ports = {};
    for (const service of SERVICES) {
      const fixed = port(values[`port-${service}`], `--port-${service}`);
      if (fixed !== undefined) ports[service] = fixed;
    }
  } catch (error) {
    await write(io.stderr, `sluice dev: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    await write(io.stdout, USAGE);
    return EXIT_OK;
  }
  const stateFile = values["state-file"] ?? DEFAULT_LOCAL_STACK_FILE;
  await write(io.stderr, "Starting DynamoDB Local, fauxqs and EventBridge...\n");
  const started = performance.now();
  const stack = await startLocalStack({
    ports,
    ...(values.region !== undefined && { region: values.region }),
  });
  try {
    await mkdir(dirname(stateFile), { recursive: true });
    await writeFile(stateFile, `${JSON.stringify(stack.config, null, 2)}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const lines = Object.entries(stack.config.endpoints).map(
      ([name, url]) => `  ${name.padEnd(12)}${url}`,
    );
    await write(
      io.stdout,
      `Local stack ready in ${seconds} s (region ${stack.region}):\n${lines.join("\n")}\n` +
        `Endpoints written to ${stateFile}; use --local with other sluice commands. Ctrl-C stops it.\n`,
    );
    await untilInterrupted();
    await write(io.stderr, "Stopping the local stack...\n");
  } finally {
    await stack.stop();
    await rm(stateFile, { force: true });
  }
  return EXIT_OK;
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
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
