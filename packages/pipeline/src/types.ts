/** What a table's stream carries besides the keys. */
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

export type KeyType = "string" | "number" | "binary";

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export type StartingPosition = "TRIM_HORIZON" | "LATEST";

/** How sluice's runtime runs a batch: see @sluice/runtime's README. */
export type Ordering = "strict" | "per-item";

/** Resources a handler uses; infra creates or passes them and grants access to exactly these. */
export type ResourceNeed =
  | "checkpoints"
  | "archiveBucket"
  | "searchDomain"
  | "eventBus"
  | "aggregatesTable";

/** One Lambda filter pattern (EventBridge pattern syntax over the stream record), as an object. */
export type FilterPattern = { readonly [field: string]: unknown };

export interface TableInput {
  name: string;
  /** An attribute name (a string key) or the name and type. */
  partitionKey: string | KeyAttribute;
  sortKey?: string | KeyAttribute;
  stream: StreamViewType;
  ttlAttribute?: string;
}

export interface SubscriberInput {
  /** Module path from the app's root without extension, a dot, and the export: "src/handlers/audit.handler". */
  handler: string;
  batchSize?: number;
  batchingWindowSeconds?: number;
  startingPosition?: StartingPosition;
  ordering?: Ordering;
  /** -1 retries until the record leaves the stream (24 hours), blocking its shard meanwhile. */
  maximumRetryAttempts?: number;
  /** -1 for no limit. */
  maximumRecordAgeSeconds?: number;
  bisectOnError?: boolean;
  parallelizationFactor?: number;
  /** 0 turns tumbling windows off. */
  tumblingWindowSeconds?: number;
  filters?: readonly FilterPattern[];
  /** "queue": failed batches go to the pipeline's dead-letter queue. false: they are dropped. */
  deadLetter?: "queue" | false;
  timeoutSeconds?: number;
  memoryMb?: number;
  environment?: Record<string, string>;
  needs?: readonly ResourceNeed[];
}

export interface PipelineInput<S extends Record<string, SubscriberInput>> {
  name: string;
  table: TableInput;
  subscribers: S;
}

export interface HandlerReference {
  /** As given: "src/handlers/audit.handler". */
  path: string;
  /** "src/handlers/audit" */
  module: string;
  /** "handler" */
  exportName: string;
}

export interface TableDefinition {
  readonly name: string;
  readonly partitionKey: Readonly<KeyAttribute>;
  readonly sortKey?: Readonly<KeyAttribute>;
  readonly stream: StreamViewType;
  readonly ttlAttribute?: string;
}

/** A subscriber with every default filled in. */
export interface Subscriber {
  readonly name: string;
  readonly handler: Readonly<HandlerReference>;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  readonly startingPosition: StartingPosition;
  readonly ordering: Ordering;
  readonly maximumRetryAttempts: number;
  readonly maximumRecordAgeSeconds: number;
  readonly bisectOnError: boolean;
  readonly parallelizationFactor: number;
  readonly tumblingWindowSeconds: number;
  readonly filters: readonly FilterPattern[];
  readonly deadLetter: "queue" | false;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly needs: readonly ResourceNeed[];
}

export interface PipelineDefinition<Name extends string = string> {
  readonly name: string;
  readonly table: TableDefinition;
  readonly subscribers: Readonly<Record<Name, Subscriber>>;
}
