import {
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type MappingClients,
  type MappingLogEntry,
} from "@sluice/local";
import {
  type DynamoDBStreamEvent,
  type DynamoDBStreamRecord,
  parseStreamArn,
} from "@sluice/records";
import { toChangeView } from "./change-view.js";
import type { ChangeView } from "./types.js";

export interface TailFilter {
  /** Only changes whose entity (`entityOf` of the keys) is this one; case-insensitive. */
  entity?: string;
  /**
   * Only changes with a key value that starts with this text, in any key attribute: stream
   * records do not say which attribute is the partition key, and an item is often found by
   * its sort key too (`ORDER#o-1` under `CUSTOMER#c-1`). Numbers compare as their digits.
   */
  keyPrefix?: string;
}

export type TailOptions = {
  /**
   * `dynamodb` finds the table's stream and key schema; without it, one is made with the streams
   * client's endpoint, region and credentials.
   */
  clients: Pick<MappingClients, "streams" | "dynamodb">;
  /** `latest` (default): changes written after `ready`; `trim-horizon`: the last 24 hours too. */
  from?: "latest" | "trim-horizon";
  filter?: TailFilter;
  /** Called once per change, in order per item; a returned promise holds back the next change. */
  onChange: (view: ChangeView, record: DynamoDBStreamRecord) => void | Promise<void>;
  /**
   * A record that could not be decoded, or an `onChange` that threw (both with the record), or
   * the stream could not be read (no record; the tail keeps polling). Default: printed to stderr.
   */
  onError?: (error: Error, record?: DynamoDBStreamRecord) => void;
  /** Time between reads of a shard; default 250 ms, under GetRecords' limit of 5 a second. */
  pollIntervalMs?: number;
} & ({ tableName: string; streamArn?: undefined } | { streamArn: string; tableName?: undefined });

export interface Tail {
  /** Resolves with the stream's ARN once the starting position is taken; rejects if it cannot. */
  ready: Promise<{ streamArn: string }>;
  /** Resolves when every change written so far was handed to `onChange`. */
  waitForIdle(): Promise<void>;
  /** Stops reading; changes not yet delivered are dropped. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Why a tail could not start, for callers that explain it in their own words. */
export class TailStartError extends Error {
  constructor(
    readonly reason: "no-table" | "no-stream",
    message: string,
  ) {
    super(message);
    this.name = "TailStartError";
  }
}

function matches(view: ChangeView, filter: TailFilter | undefined): boolean {
  if (filter?.entity !== undefined && view.entity?.toLowerCase() !== filter.entity.toLowerCase()) {
    return false;
  }
  const prefix = filter?.keyPrefix;
  if (prefix === undefined) return true;
  return Object.values(view.keys).some(
    (value) =>
      (typeof value === "string" || typeof value === "number") && String(value).startsWith(prefix),
  );
}

function printError(error: Error, record?: DynamoDBStreamRecord): void {
  const which = record?.eventID ? ` (record ${record.eventID})` : "";
  process.stderr.write(`sluice tail: ${error.message}${which}\n`);
}

/** A DynamoDB client with the streams client's endpoint, region and credentials. */
function dynamodbLike(streams: MappingClients["streams"]): DynamoDBClient {
  const { config } = streams;
  return new DynamoDBClient({
    region: config.region,
    credentials: config.credentials,
    ...(config.isCustomEndpoint && config.endpoint && { endpoint: config.endpoint }),
  });
}

interface TableStream {
  streamArn: string;
  /** Partition key first. */
  keyNames: string[];
}

async function streamOf(tableName: string, dynamodb: DynamoDBClient): Promise<TableStream> {
  let table: DescribeTableCommandOutput["Table"];
  try {
    ({ Table: table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName })));
  } catch (error) {
    if ((error as Error).name === "ResourceNotFoundException") {
      const region = await dynamodb.config.region();
      throw new TailStartError(
        "no-table",
        `Table ${tableName} does not exist in ${region}; check the table name and the region.`,
      );
    }
    throw error;
  }
  const streamArn = table?.LatestStreamArn;
  if (!streamArn || table?.StreamSpecification?.StreamEnabled !== true) {
    throw new TailStartError(
      "no-stream",
      `Table ${tableName} has no stream. Enable one with: aws dynamodb update-table --table-name ` +
        `${tableName} --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES`,
    );
  }
  const named = (type: "HASH" | "RANGE") =>
    (table?.KeySchema ?? []).filter((key) => key.KeyType === type).map((key) => key.AttributeName!);
  return { streamArn, keyNames: [...named("HASH"), ...named("RANGE")] };
}

/** With only a stream ARN, the key order is a nicety: without a table to ask, keep the record's. */
async function keyNamesOf(streamArn: string, dynamodb: DynamoDBClient | undefined) {
  const tableName = parseStreamArn(streamArn)?.tableName;
  if (!dynamodb || !tableName) return [];
  return streamOf(tableName, dynamodb).then(
    (found) => found.keyNames,
    () => [],
  );
}

/**
 * Follows a table's stream and hands each change, decoded, to `onChange` as it happens. Built on
 * the local event source mapping, so it reads DynamoDB Local and AWS alike.
 */
export function tailStream(options: TailOptions): Tail {
  const onError = options.onError ?? printError;
  const ownClient =
    options.tableName !== undefined && !options.clients.dynamodb
      ? dynamodbLike(options.clients.streams)
      : undefined;
  let mapping: EventSourceMapping | undefined;
  let stopping = false;
  let keyNames: string[] = [];

  const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
    for (const record of event.Records) {
      if (stopping) return;
      let view: ChangeView;
      try {
        view = toChangeView(record, keyNames);
      } catch (error) {
        onError(error as Error, record);
        continue;
      }
      if (!matches(view, options.filter)) continue;
      // The handler never fails: a failed batch would be retried and its changes shown twice.
      try {
        await options.onChange(view, record);
      } catch (error) {
        onError(error as Error, record);
      }
    }
  };

  const start = async (): Promise<{ streamArn: string }> => {
    const dynamodb = options.clients.dynamodb ?? ownClient;
    let streamArn: string;
    if (options.streamArn !== undefined) {
      streamArn = options.streamArn;
      keyNames = await keyNamesOf(streamArn, dynamodb);
    } else {
      ({ streamArn, keyNames } = await streamOf(options.tableName, dynamodb as DynamoDBClient));
    }
    if (stopping) return { streamArn };
    mapping = createEventSourceMapping({
      streamArn,
      clients: { streams: options.clients.streams },
      handler,
      StartingPosition: options.from === "trim-horizon" ? "TRIM_HORIZON" : "LATEST",
      functionName: "sluice-tail",
      pollIntervalMs: options.pollIntervalMs ?? 250,
      // A slow reader (a pager, a full pipe) must not time the batch out and show it again.
      timeout: 900,
      // A tail runs for hours: keep almost no history of invocations.
      historyLimit: 10,
    });
    mapping.events.on("poll-error", (entry: Extract<MappingLogEntry, { type: "poll-error" }>) => {
      onError(new Error(`Reading the stream failed: ${entry.error}`));
    });
    await mapping.start();
    return { streamArn: mapping.streamArn };
  };

  const ready = start();
  // A tail that did not start holds nothing open; callers that only stop() see no rejection.
  ready.catch(() => ownClient?.destroy());

  return {
    ready,
    async waitForIdle() {
      await ready;
      await mapping?.waitForIdle();
    },
    async stop() {
      stopping = true;
      await ready.catch(() => {});
      await mapping?.stop();
      ownClient?.destroy();
    },
  };
}
