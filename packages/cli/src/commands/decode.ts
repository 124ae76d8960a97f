import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  type AnyDecodeOptions,
  decode,
  type NumberMode,
  SluiceDecodeError,
  stripBom,
  toJsonLine,
} from "@sluice/records";
import {
  type Command,
  type CommandIo,
  EXIT_OK,
  EXIT_PARTIAL_FAILURE,
  EXIT_USAGE,
} from "../command.js";
import { write } from "../write.js";

const USAGE = `Usage: sluice decode [FILE] [options]

Decodes DynamoDB stream records from FILE (or stdin) and prints one JSON line per change event:
kind, cause (on removes), keys, oldImage and newImage as present, and meta. Numbers keep every
digit, sets become arrays and binary becomes base64.

Input: a Lambda DynamoDB stream event, GetRecords output, a Lambda Kinesis event from Kinesis Data
Streams for DynamoDB, an EventBridge Pipes batch, or an S3 on-failure destination object.

Options:
  --numbers MODE        auto (default), number, bigint or string
  --ttl-attribute NAME  count removes whose NAME (epoch seconds) has passed as TTL deletions
  --stream-arn ARN      stream ARN for GetRecords output, which carries none
  --shard-id ID         shard id for GetRecords output
  -h, --help            show this help

Bad records go to stderr, one JSON line each. Exit code: 0 when every record decoded, 1 when
some failed, 2 when the input could not be used at all.
`;

const NUMBER_MODES: readonly NumberMode[] = ["auto", "number", "bigint", "string"];

async function readInput(file: string | undefined, stdin: NodeJS.ReadableStream): Promise<string> {
  if (file !== undefined && file !== "-") return readFile(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function errorLine(error: SluiceDecodeError): string {
  return `${JSON.stringify({
    code: error.code,
    message: error.message,
    eventId: error.eventId,
    position: error.position,
    path: error.path,
  })}\n`;
}

async function usageError(io: CommandIo, message: string): Promise<number> {
  await write(io.stderr, `sluice decode: ${message}\nRun "sluice decode --help" for usage.\n`);
  return EXIT_USAGE;
}

async function run(args: string[], io: CommandIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await write(io.stdout, USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1) return usageError(io, "give at most one FILE");
  const numbers = values.numbers as NumberMode | undefined;
  if (numbers !== undefined && !NUMBER_MODES.includes(numbers)) {
    return usageError(io, `--numbers must be one of ${NUMBER_MODES.join(", ")}`);
  }
  const options: AnyDecodeOptions = {};
  if (numbers !== undefined) options.numbers = numbers;
  if (values["ttl-attribute"] !== undefined) options.ttlAttribute = values["ttl-attribute"];
  if (values["stream-arn"] !== undefined) options.streamArn = values["stream-arn"];
  if (values["shard-id"] !== undefined) options.shardId = values["shard-id"];

  if (positionals[0] === undefined && (io.stdin as { isTTY?: boolean }).isTTY) {
    return usageError(io, "give a FILE, or pipe JSON into stdin");
  }
  let input: unknown;
  try {
    input = JSON.parse(stripBom(await readInput(positionals[0], io.stdin)));
  } catch (error) {
    return usageError(io, `cannot read JSON input: ${(error as Error).message}`);
  }

  let result: ReturnType<typeof decode>;
  try {
    result = decode(input, options);
  } catch (error) {
    if (!(error instanceof SluiceDecodeError)) throw error;
    await write(io.stderr, errorLine(error));
    return EXIT_USAGE;
  }
  let out = "";
  for (const event of result.events) out += `${toJsonLine(event)}\n`;
  await write(io.stdout, out);
  for (const failure of result.failures) await write(io.stderr, errorLine(failure.error));
  return result.failures.length > 0 ? EXIT_PARTIAL_FAILURE : EXIT_OK;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      numbers: { type: "string" },
      "ttl-attribute": { type: "string" },
      "stream-arn": { type: "string" },
      "shard-id": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

const decodeCommand: Command = { name: "decode", usage: USAGE, run };
export default decodeCommand;
