import { parseArgs } from "node:util";
import { type Tail, TailStartError, tailStream } from "@sluice/dev";
import { type ClientConfig, replayClients } from "@sluice/dlq";
import { changeLine } from "../change-line.js";
import { type Command, type CommandIo, EXIT_OK, EXIT_USAGE } from "../command.js";
import { DEFAULT_LOCAL_STACK_FILE, readLocalStackFile, UsageError } from "../local-stack-file.js";
import { write } from "../write.js";

const USAGE = `Usage: sluice tail --table NAME [options]

Follows a DynamoDB table's stream and prints each change as it happens, one line each: when it was
written, what happened (INSERT, MODIFY, REMOVE, or REMOVE (TTL) when Time to Live deleted the
item), the item's key, then the new item's attributes, what a modify changed, or what a remove
deleted. Runs until Ctrl-C. The table needs a stream; with NEW_AND_OLD_IMAGES every line shows
what changed.

Options:
  --table NAME             the table to follow (required)
  --from POSITION          latest: changes written from now on (default); trim-horizon: also the
                           last 24 hours the stream still keeps
  --entity NAME            only items of this entity: the text before the first # of the sort
                           key, else of the partition key (ORDER for CUSTOMER#c-1 / ORDER#o-1,
                           CUSTOMER for CUSTOMER#c-1 / PROFILE); any letter case
  --key-prefix TEXT        only items with a key value that starts with TEXT, in the partition or
                           the sort key (CUSTOMER#c-1 shows the customer and items under it)
  --json                   print each change as a JSON line instead (eventId, kind, expired, key,
                           keys, entity, at, newImage, oldImage)
  --region REGION          AWS region (default: from the environment)
  --endpoint URL           a DynamoDB endpoint instead of AWS
  --local                  use the local stack that "sluice dev" runs, as described in
                           ${DEFAULT_LOCAL_STACK_FILE}
  --local-config FILE      the same, described in FILE (implies --local)
  -h, --help               show this help

Examples:
  sluice tail --table Orders --local
  sluice tail --table Orders --region eu-west-1 --entity ORDER
  sluice tail --table Orders --local --key-prefix CUSTOMER#c-1 --from trim-horizon
  sluice tail --table Orders --local --json | jq 'select(.kind == "modify")'

Changes go to stdout; records that cannot be decoded go to stderr, with the record, and the tail
goes on.

Exit codes: 0 stopped with Ctrl-C, 2 usage or configuration error (no such table, no stream on the
table, the local stack not running).
`;

function parse(args: string[]) {
  return parseArgs({
    args,
    strict: true,
    options: {
      table: { type: "string" },
      from: { type: "string" },
      entity: { type: "string" },
      "key-prefix": { type: "string" },
      json: { type: "boolean" },
      region: { type: "string" },
      endpoint: { type: "string" },
      local: { type: "boolean" },
      "local-config": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  }).values;
}

type Values = ReturnType<typeof parse>;

/** Where the stream is, and what to say when nothing answers there. */
async function clientConfig(values: Values): Promise<{ config: ClientConfig; where: string }> {
  const local = values.local === true || values["local-config"] !== undefined;
  if (local && values.endpoint) throw new UsageError("give --local or --endpoint, not both");
  if (!local) {
    const config: ClientConfig = {
      ...(values.region && { region: values.region }),
      ...(values.endpoint && { endpoint: values.endpoint }),
    };
    return { config, where: values.endpoint ? `nothing answers at ${values.endpoint}` : "" };
  }
  const path = values["local-config"] ?? DEFAULT_LOCAL_STACK_FILE;
  const stack = await readLocalStackFile(path, values.region);
  const endpoint = stack.endpoints?.dynamodb;
  if (!endpoint) throw new UsageError(`${path} has no DynamoDB endpoint; restart "sluice dev"`);
  return {
    config: {
      region: stack.region,
      credentials: stack.credentials,
      endpoints: { dynamodb: endpoint },
    },
    where: `the local stack in ${path} does not answer at ${endpoint}; start it with "sluice dev"`,
  };
}

/** Connection failures get the reason people can act on: the stack is down, the URL is wrong. */
function startFailure(error: unknown, where: string): string {
  if (error instanceof TailStartError) return error.message;
  const { name, message, code } = error as Error & { code?: string };
  if (where && (code === "ECONNREFUSED" || code === "ENOTFOUND" || /ECONNREFUSED/.test(message))) {
    return where;
  }
  if (/Region is missing/i.test(message)) return "give --region REGION, or set AWS_REGION";
  return `${name}: ${message}`;
}

/** Resolves on the first SIGINT or SIGTERM, or when `stop` is called. */
function interruption() {
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return { stopped, stop };
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const fail = async (message: string) => {
    await write(io.stderr, `sluice tail: ${message}\nRun "sluice tail --help" for usage.\n`);
    return EXIT_USAGE;
  };
  let values: Values;
  try {
    values = parse(args);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    await write(io.stdout, USAGE);
    return EXIT_OK;
  }
  if (!values.table) return fail("give the table to follow: --table NAME");
  const from = values.from ?? "latest";
  if (from !== "latest" && from !== "trim-horizon") {
    return fail(`--from takes latest or trim-horizon, got "${from}"`);
  }
  let config: ClientConfig;
  let where: string;
  try {
    ({ config, where } = await clientConfig(values));
  } catch (error) {
    return fail((error as Error).message);
  }

  const interrupted = interruption();
  // A closed pipe (| head) ends the tail as Ctrl-C does.
  io.stdout.once("error", interrupted.stop);
  const json = values.json === true;
  // The same client settings as "sluice replay", so the flags mean the same in both.
  const streams = replayClients(config).streams;
  let tail: Tail | undefined;
  let lastReadError: string | undefined;
  try {
    tail = tailStream({
      clients: { streams },
      tableName: values.table,
      from,
      filter: {
        ...(values.entity !== undefined && { entity: values.entity }),
        ...(values["key-prefix"] !== undefined && { keyPrefix: values["key-prefix"] }),
      },
      onChange: (view) => {
        lastReadError = undefined;
        return write(io.stdout, `${json ? JSON.stringify(view) : changeLine(view)}\n`);
      },
      onError: (error, record) => {
        // The stream is read a few times a second: say once that reading it fails, not each time.
        if (!record && error.message === lastReadError) return;
        if (!record) lastReadError = error.message;
        const raw = record ? `\n  ${JSON.stringify(record)}` : "";
        io.stderr.write(`sluice tail: ${error.message}${raw}\n`);
      },
    });
    const started = await Promise.race([tail.ready.then(() => true), interrupted.stopped]);
    if (started) {
      const since = from === "latest" ? "from now on" : "from the oldest record it keeps";
      await write(io.stderr, `Following the stream of ${values.table} ${since}; Ctrl-C stops.\n`);
      await interrupted.stopped;
    }
    return EXIT_OK;
  } catch (error) {
    return fail(startFailure(error, where));
  } finally {
    interrupted.stop();
    io.stdout.off("error", interrupted.stop);
    await tail?.stop();
    streams.destroy();
  }
}

const command: Command = { name: "tail", usage: USAGE, run };
export default command;
