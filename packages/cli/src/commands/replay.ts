import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type ClientConfig,
  fileProgress,
  handlerTarget,
  type KeyCondition,
  lambdaS3Source,
  lambdaSqsSource,
  queueTarget,
  type ReplayClients,
  type ReplayEvent,
  type ReplayFilter,
  type ReplaySource,
  type ReplaySummary,
  type ReplayTarget,
  replay,
  replayClients,
  type StreamLambdaHandler,
  sluiceS3Source,
  sluiceSqsSource,
} from "@sluice/dlq";
import {
  type Command,
  type CommandIo,
  EXIT_OK,
  EXIT_PARTIAL_FAILURE,
  EXIT_USAGE,
} from "../command.js";
import { itemOrderTarget } from "../item-order-target.js";
import { readLocalStackFile, UsageError } from "../local-stack-file.js";
import { write } from "../write.js";

/** Some records had left the stream's 24-hour window and could not be replayed. */
export const EXIT_EXPIRED = 3;

const USAGE = `Usage: sluice replay SOURCE LOCATION (--handler FILE#EXPORT | --to-queue URL) [options]

Replays failed DynamoDB stream records, or the history in the audit archive. A source message is
deleted only after every record in it was replayed; records that fail again, malformed messages and
expired ranges stay where they are.

Sources:
  sluice-sqs QUEUE_URL     sluice's own DLQ on SQS (envelopes; claim-checked ones read from S3)
  sluice-s3  s3://BUCKET/PREFIX
                           sluice's own DLQ in S3 (default prefix sluice-dlq/)
  lambda-sqs QUEUE_URL     Lambda's on-failure destination on SQS (or SNS into SQS): re-reads each
                           shard range from the stream, while DynamoDB still keeps it (24 hours)
  lambda-s3  s3://BUCKET/PREFIX
                           Lambda's on-failure destination on S3 (default prefix aws/lambda/)
  audit      s3://BUCKET/PREFIX
                           the audit archive (auditArchive or ttlArchive of @sluice/processors;
                           default prefix audit/), to rebuild a search index or an aggregate from
                           history: the changes created in --since..--until (both required; until
                           excluded), each once, every item's changes in order, through --handler.
                           The archive keeps its objects

Targets (one of):
  --handler FILE#EXPORT    run records in this process through a Lambda handler, such as one made
                           with streamHandler (EXPORT defaults to "handler"); events carry
                           replay: true, so its checkpoints do not skip them
  --to-queue URL           re-drive records to an SQS queue as sluice envelopes
  --claim-check-bucket B   with --to-queue: where envelopes over the queue's size limit go

Options:
  --dry-run                read and filter, print what would be replayed, change nothing
  --rate N                 at most N records per second
  --processor NAME         only records of this processor (Lambda sources: the function name);
                           repeatable
  --error-code CODE        only records that failed with this code (Lambda sources: the condition,
                           such as RetryAttemptsExhausted); repeatable
  --since TIME, --until TIME
                           only records that failed (or, without a failure time, were written) in
                           this ISO 8601 time range
  --table NAME             audit: only this DynamoDB table (default: every table in the archive)
  --batch-size N           audit: records per handler event (default 100)
  --key ATTR=VALUE         only records whose key attribute equals VALUE; repeatable
  --key-prefix ATTR=PREFIX only records whose key attribute starts with PREFIX; repeatable
  --progress FILE          resume state: ids of replayed records (default .sluice/replay/<job>.jsonl)
  --json                   print the summary as JSON
  --region REGION          AWS region (default: from the environment)
  --endpoint URL           one endpoint for every service, instead of AWS
  --local                  use the local stack that "sluice dev" runs, as described in
                           .sluice/local-stack.json
  --local-config FILE      the same, described in FILE (implies --local)
  --visibility-timeout S   seconds a received SQS message stays hidden (default 300)
  --wait S                 SQS long-poll seconds; the run ends at the first empty poll (default 2)
  -h, --help               show this help

Examples:
  sluice replay sluice-sqs https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq \\
    --handler ./dist/orders.js#handler --dry-run
  sluice replay lambda-sqs https://sqs.eu-west-1.amazonaws.com/123456789012/orders-failures \\
    --handler ./dist/orders.js#handler --rate 50 --error-code RetryAttemptsExhausted
  sluice replay lambda-s3 s3://orders-failures/aws/lambda/ --handler ./dist/orders.js
  sluice replay sluice-s3 s3://orders-dlq/sluice-dlq/ --to-queue \\
    https://sqs.eu-west-1.amazonaws.com/123456789012/orders-retry --processor daily-sales
  sluice replay sluice-sqs http://127.0.0.1:4566/000000000000/orders-dlq --local \\
    --handler ./dist/orders.js#handler
  sluice replay audit s3://orders-archive/audit/ --table Orders --handler ./dist/search.js \\
    --since 2026-11-01T00:00:00Z --until 2026-11-21T00:00:00Z

Progress goes to stderr (a bar on a terminal, a line per problem otherwise); the summary
(replayed, skipped, failed again, expired, malformed) to stdout. Interrupt with Ctrl-C: the run
stops after the current message and a rerun resumes.

Exit codes: 0 every chosen record replayed (or nothing to do), 1 some failed again or some
messages were malformed, 2 usage or configuration error, 3 some records had expired from the
stream (takes precedence over 1).
`;

const SOURCES = ["sluice-sqs", "sluice-s3", "lambda-sqs", "lambda-s3", "audit"] as const;

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      handler: { type: "string" },
      "to-queue": { type: "string" },
      "claim-check-bucket": { type: "string" },
      "dry-run": { type: "boolean" },
      rate: { type: "string" },
      processor: { type: "string", multiple: true },
      "error-code": { type: "string", multiple: true },
      since: { type: "string" },
      until: { type: "string" },
      table: { type: "string" },
      "batch-size": { type: "string" },
      key: { type: "string", multiple: true },
      "key-prefix": { type: "string", multiple: true },
      progress: { type: "string" },
      json: { type: "boolean" },
      region: { type: "string" },
      endpoint: { type: "string" },
      local: { type: "boolean" },
      "local-config": { type: "string" },
      "visibility-timeout": { type: "string" },
      wait: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

type Values = ReturnType<typeof parse>["values"];

function nonNegativeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!(number >= 0) || !Number.isFinite(number)) {
    throw new UsageError(`${name} must be a number of 0 or more, got "${value}"`);
  }
  return number;
}

function time(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`${name} must be an ISO 8601 time, got "${value}"`);
  return date;
}

function keyConditions(values: Values): KeyCondition[] {
  const split = (text: string, flag: string) => {
    const at = text.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} takes ATTR=VALUE, got "${text}"`);
    return [text.slice(0, at), text.slice(at + 1)] as const;
  };
  return [
    ...(values.key ?? []).map((text) => {
      const [attribute, equals] = split(text, "--key");
      return { attribute, equals };
    }),
    ...(values["key-prefix"] ?? []).map((text) => {
      const [attribute, prefix] = split(text, "--key-prefix");
      return { attribute, prefix };
    }),
  ];
}

function filterOf(values: Values): ReplayFilter {
  const filter: ReplayFilter = {};
  if (values.processor) filter.processors = values.processor;
  if (values["error-code"]) filter.errorCodes = values["error-code"];
  const since = time(values.since, "--since");
  const until = time(values.until, "--until");
  if (since) filter.since = since;
  if (until) filter.until = until;
  const keys = keyConditions(values);
  if (keys.length > 0) filter.keys = keys;
  return filter;
}

function s3Location(location: string): { bucket: string; prefix?: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!match) throw new UsageError(`expected s3://BUCKET/PREFIX, got "${location}"`);
  return { bucket: match[1]!, ...(match[2] ? { prefix: match[2] } : {}) };
}

async function clientConfig(values: Values): Promise<ClientConfig> {
  const config: ClientConfig = {};
  if (values.region) config.region = values.region;
  if (values.endpoint) config.endpoint = values.endpoint;
  // A local config file names the local stack as clearly as --local does.
  if (!values.local && !values["local-config"]) return config;
  return { ...config, ...(await readLocalStackFile(values["local-config"], values.region)) };
}

/** The audit archive: a time range is required, and only key filters apply to its records. */
async function auditSourceOf(
  location: string,
  clients: ReplayClients,
  values: Values,
): Promise<ReplaySource> {
  const since = time(values.since, "--since");
  const until = time(values.until, "--until");
  if (!since || !until) throw new UsageError("audit needs --since TIME and --until TIME");
  if (since >= until) throw new UsageError("--since must come before --until");
  if (values.processor || values["error-code"]) {
    throw new UsageError("--processor and --error-code do not apply to the audit archive");
  }
  // Its records never failed: a dead-letter envelope on a queue would describe a failure.
  if (values["to-queue"]) throw new UsageError("the audit archive replays through --handler only");
  const batchSize = nonNegativeNumber(values["batch-size"], "--batch-size") ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new UsageError("--batch-size must be a whole number of 1 or more");
  }
  const { bucket, prefix = "audit" } = s3Location(location);
  // Loaded only here: the processors package is large and the other sources do not need it.
  const { auditSource } = await import("../audit-source.js");
  return auditSource({
    s3: clients.s3,
    bucket,
    prefix,
    since,
    until,
    batchSize,
    ...(values.table && { table: values.table }),
  });
}

function sourceOf(
  kind: string,
  location: string,
  clients: ReplayClients,
  values: Values,
): ReplaySource {
  const sqsOptions = {
    sqs: clients.sqs,
    queueUrl: location,
    ...(values.wait !== undefined && { waitTimeSeconds: nonNegativeNumber(values.wait, "--wait") }),
    ...(values["visibility-timeout"] !== undefined && {
      visibilityTimeoutSeconds: nonNegativeNumber(
        values["visibility-timeout"],
        "--visibility-timeout",
      ),
    }),
  };
  switch (kind) {
    case "sluice-sqs":
      return sluiceSqsSource({ ...sqsOptions, s3: clients.s3 });
    case "lambda-sqs":
      return lambdaSqsSource({ ...sqsOptions, streams: clients.streams });
    case "sluice-s3":
      return sluiceS3Source({ s3: clients.s3, ...s3Location(location) });
    case "lambda-s3":
      return lambdaS3Source({ s3: clients.s3, ...s3Location(location) });
    default:
      throw new UsageError(`unknown source "${kind}": use one of ${SOURCES.join(", ")}`);
  }
}

async function targetOf(values: Values, clients: ReplayClients): Promise<ReplayTarget> {
  if (values.handler && values["to-queue"])
    throw new UsageError("give --handler or --to-queue, not both");
  if (values["to-queue"]) {
    const bucket = values["claim-check-bucket"];
    return queueTarget({
      sqs: clients.sqs,
      queueUrl: values["to-queue"],
      ...(bucket && { claimCheck: { s3: clients.s3, bucket } }),
    });
  }
  if (!values.handler)
    throw new UsageError("give a target: --handler FILE#EXPORT or --to-queue URL");
  const at = values.handler.lastIndexOf("#");
  const file = at > 0 ? values.handler.slice(0, at) : values.handler;
  const name = at > 0 ? values.handler.slice(at + 1) : "handler";
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`could not load ${file}: ${(error as Error).message}`);
  }
  const handler = module[name];
  if (typeof handler !== "function") {
    const exported = Object.keys(module).join(", ") || "nothing";
    throw new UsageError(`${file} has no function export "${name}" (it exports ${exported})`);
  }
  return handlerTarget(handler as StreamLambdaHandler, { functionName: name });
}

/** One progress file per job, so rerunning the same command resumes it. */
function defaultProgressPath(args: { kind: string; location: string; target: string }): string {
  const job = createHash("sha256")
    .update(`${args.kind}\n${args.location}\n${args.target}`)
    .digest("hex")
    .slice(0, 16);
  return `.sluice/replay/${args.kind}-${job}.jsonl`;
}

/** A bar when stderr is a terminal and the total is known; otherwise only notable events. */
function progressReporter(io: CommandIo, total: number | undefined) {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  let messages = 0;
  const counts = { replayed: 0, failed: 0, skipped: 0 };
  const draw = () => {
    const done = `${counts.replayed} replayed, ${counts.skipped} skipped, ${counts.failed} failed again`;
    if (total && total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((messages / total) * width));
      const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
      io.stderr.write(`\r[${bar}] ${messages}/~${total} messages: ${done}`);
    } else {
      io.stderr.write(`\r${messages} messages: ${done}`);
    }
  };
  const line = (text: string) => io.stderr.write(`${tty ? "\r\x1b[K" : ""}${text}\n`);
  return {
    onEvent(event: ReplayEvent) {
      if (event.type === "replayed") counts.replayed++;
      else if (event.type === "skipped") counts.skipped++;
      else if (event.type === "failed-again") {
        counts.failed++;
        line(`failed again: ${event.id} (${event.ref}): ${event.reason}`);
      } else if (event.type === "malformed") {
        line(`malformed, left in place: ${event.ref}: ${event.error.code}: ${event.error.message}`);
      } else if (event.type === "expired") {
        line(`expired, left in place: ${event.ref}: ${event.error.message}`);
      } else if (event.type === "message-done") messages++;
      if (tty) draw();
    },
    end() {
      if (tty) io.stderr.write("\r\x1b[K");
    },
  };
}

function planLine(event: Extract<ReplayEvent, { type: "would-replay" }>): string {
  const { record, meta } = event.record;
  return `${JSON.stringify({
    wouldReplay: event.record.id,
    from: event.ref,
    eventName: record.eventName,
    keys: record.dynamodb?.Keys,
    sequenceNumber: record.dynamodb?.SequenceNumber,
    processor: meta.processor,
    errorCode: meta.errorCode,
    failedAt: meta.failedAt?.toISOString(),
  })}\n`;
}

function summaryText(summary: ReplaySummary, dryRun: boolean): string {
  const head = dryRun
    ? `dry run: would replay ${summary.wouldReplay}`
    : `replayed ${summary.replayed}`;
  return (
    `${head}, skipped ${summary.skipped}, failed again ${summary.failedAgain}, ` +
    `expired ${summary.expired}, malformed ${summary.malformed} ` +
    `(${summary.messages} messages${summary.aborted ? ", interrupted" : ""})\n`
  );
}

function exitCode(summary: ReplaySummary): number {
  if (summary.expired > 0) return EXIT_EXPIRED;
  if (summary.failedAgain > 0 || summary.malformed > 0) return EXIT_PARTIAL_FAILURE;
  return EXIT_OK;
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const fail = async (message: string) => {
    await write(io.stderr, `sluice replay: ${message}\nRun "sluice replay --help" for usage.\n`);
    return EXIT_USAGE;
  };
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(args));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (values.help) {
    await write(io.stdout, USAGE);
    return EXIT_OK;
  }
  const [kind, location, ...extra] = positionals;
  if (!kind || !location) return fail("give a SOURCE and its LOCATION");
  if (extra.length > 0) return fail(`unexpected arguments: ${extra.join(" ")}`);

  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once("SIGINT", interrupt);
  try {
    const clients = replayClients(await clientConfig(values));
    if (kind !== "audit" && (values.table || values["batch-size"])) {
      throw new UsageError("--table and --batch-size apply to the audit source only");
    }
    const source =
      kind === "audit"
        ? await auditSourceOf(location, clients, values)
        : sourceOf(kind, location, clients, values);
    // Each item's changes of the archive go in order: after one fails, its later ones wait.
    const target =
      kind === "audit"
        ? itemOrderTarget(await targetOf(values, clients))
        : await targetOf(values, clients);
    const filter = filterOf(values);
    const rate = nonNegativeNumber(values.rate, "--rate");
    if (rate === 0) throw new UsageError("--rate must be above 0; leave it out for no limit");
    const dryRun = values["dry-run"] === true;
    const progressPath =
      values.progress ?? defaultProgressPath({ kind, location, target: target.describe });
    const total = await source.estimate?.().catch(() => undefined);
    const reporter = progressReporter(io, total);
    const summary = await replay({
      source,
      target,
      filter,
      dryRun,
      signal: abort.signal,
      ...(rate !== undefined && { ratePerSecond: rate }),
      // A dry run reads the progress too (it never writes), so it leaves out what a rerun would skip.
      progress: await fileProgress(progressPath),
      onEvent: (event) => {
        reporter.onEvent(event);
        if (event.type === "would-replay") io.stdout.write(planLine(event));
      },
    });
    reporter.end();
    await write(
      io.stdout,
      values.json ? `${JSON.stringify(summary)}\n` : summaryText(summary, dryRun),
    );
    return exitCode(summary);
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message);
    const name = error instanceof Error ? error.name : "Error";
    const message = error instanceof Error ? error.message : String(error);
    return fail(`${name}: ${message}`);
  } finally {
    process.removeListener("SIGINT", interrupt);
  }
}

const command: Command = { name: "replay", usage: USAGE, run };
export default command;
