import { subscriberDefaults as defaults } from "./defaults.js";
import { PipelineDefinitionError } from "./errors.js";
import type {
  PipelineDefinition,
  PipelineInput,
  Subscriber,
  SubscriberInput,
  TableDefinition,
  TableInput,
} from "./types.js";
import {
  checkAttributeName,
  checkBoolean,
  checkEnvironment,
  checkFilters,
  checkInteger,
  checkKey,
  checkName,
  checkNeeds,
  checkOneOf,
  checkTableName,
  parseHandler,
  streamViewTypes,
} from "./validate.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const entry of Object.values(value)) deepFreeze(entry);
    Object.freeze(value);
  }
  return value;
}

function defineTable(input: TableInput): TableDefinition {
  if (typeof input !== "object" || input === null) {
    throw new PipelineDefinitionError(
      "table",
      "table must be { name, partitionKey, sortKey?, stream, ttlAttribute? }.",
    );
  }
  const table: TableDefinition = {
    name: checkTableName({ setting: "table.name" }, input.name),
    partitionKey: checkKey({ setting: "table.partitionKey" }, input.partitionKey),
    ...(input.sortKey !== undefined && {
      sortKey: checkKey({ setting: "table.sortKey" }, input.sortKey),
    }),
    stream: checkOneOf({ setting: "table.stream" }, input.stream, streamViewTypes),
    ...(input.ttlAttribute !== undefined && {
      ttlAttribute: checkAttributeName({ setting: "table.ttlAttribute" }, input.ttlAttribute),
    }),
  };
  if (table.sortKey?.name === table.partitionKey.name) {
    throw new PipelineDefinitionError(
      "table.sortKey",
      `table.sortKey must differ from the partition key "${table.partitionKey.name}".`,
    );
  }
  return table;
}

function defineSubscriber(name: string, input: SubscriberInput): Subscriber {
  const at = (setting: string) => ({ setting, subscriber: name });
  if (typeof input !== "object" || input === null) {
    throw new PipelineDefinitionError("subscribers", "must be an object with a handler.", name);
  }
  return {
    name,
    handler: parseHandler(at("handler"), input.handler),
    batchSize: checkInteger(
      at("batchSize"),
      input.batchSize ?? defaults.batchSize,
      1,
      10_000,
      "BatchSize",
    ),
    batchingWindowSeconds: checkInteger(
      at("batchingWindowSeconds"),
      input.batchingWindowSeconds ?? defaults.batchingWindowSeconds,
      0,
      300,
      "MaximumBatchingWindowInSeconds",
    ),
    startingPosition: checkOneOf(
      at("startingPosition"),
      input.startingPosition ?? defaults.startingPosition,
      ["TRIM_HORIZON", "LATEST"] as const,
    ),
    ordering: checkOneOf(at("ordering"), input.ordering ?? defaults.ordering, [
      "strict",
      "per-item",
    ] as const),
    maximumRetryAttempts: checkInteger(
      at("maximumRetryAttempts"),
      input.maximumRetryAttempts ?? defaults.maximumRetryAttempts,
      0,
      10_000,
      "MaximumRetryAttempts",
      true,
    ),
    maximumRecordAgeSeconds: checkInteger(
      at("maximumRecordAgeSeconds"),
      input.maximumRecordAgeSeconds ?? defaults.maximumRecordAgeSeconds,
      60,
      604_800,
      "MaximumRecordAgeInSeconds",
      true,
    ),
    bisectOnError: checkBoolean(at("bisectOnError"), input.bisectOnError ?? defaults.bisectOnError),
    parallelizationFactor: checkInteger(
      at("parallelizationFactor"),
      input.parallelizationFactor ?? defaults.parallelizationFactor,
      1,
      10,
      "ParallelizationFactor",
    ),
    tumblingWindowSeconds: checkInteger(
      at("tumblingWindowSeconds"),
      input.tumblingWindowSeconds ?? defaults.tumblingWindowSeconds,
      0,
      900,
      "TumblingWindowInSeconds",
    ),
    filters: checkFilters(at("filters"), input.filters ?? []),
    deadLetter: checkOneOf(at("deadLetter"), input.deadLetter ?? defaults.deadLetter, [
      "queue",
      false,
    ] as const),
    timeoutSeconds: checkInteger(
      at("timeoutSeconds"),
      input.timeoutSeconds ?? defaults.timeoutSeconds,
      1,
      900,
      "Timeout",
    ),
    memoryMb: checkInteger(
      at("memoryMb"),
      input.memoryMb ?? defaults.memoryMb,
      128,
      10_240,
      "MemorySize",
    ),
    environment: checkEnvironment(at("environment"), input.environment ?? {}),
    needs: checkNeeds(at("needs"), input.needs ?? []),
  };
}

/**
 * Checks a pipeline against Lambda's and DynamoDB's limits, fills in sluice's defaults and returns
 * it frozen. `sst deploy` (through infra) and `sluice dev` both read the result, so what runs
 * locally is what is deployed.
 */
export function definePipeline<const S extends Record<string, SubscriberInput>>(
  input: PipelineInput<S>,
): PipelineDefinition<keyof S & string> {
  const name = checkName({ setting: "name" }, input?.name);
  const table = defineTable(input.table);
  const entries = Object.entries(input.subscribers ?? {});
  if (entries.length === 0) {
    throw new PipelineDefinitionError(
      "subscribers",
      "subscribers must name at least one subscriber.",
    );
  }
  const subscribers: Record<string, Subscriber> = {};
  for (const [subscriberName, subscriber] of entries) {
    checkName({ setting: "subscriber name", subscriber: subscriberName }, subscriberName);
    subscribers[subscriberName] = defineSubscriber(subscriberName, subscriber);
  }
  return deepFreeze({ name, table, subscribers }) as PipelineDefinition<keyof S & string>;
}
