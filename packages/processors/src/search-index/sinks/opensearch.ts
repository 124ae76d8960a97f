import { Client, type ClientOptions } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";
import { stringifyDecoded } from "@sluice/records";
import type { SearchAction, SearchActionResult, SearchSink } from "../sink.js";

export interface OpenSearchSinkOptions {
  client: Client;
  /** Actions per `_bulk` call. Default 1,000. */
  maxActions?: number;
  /**
   * Bytes of NDJSON per `_bulk` call. Default 5 MiB: under the 10 MiB request limit of Amazon
   * OpenSearch Service's smallest instance types (verify for yours), at the low end of the usual
   * 5 to 15 MiB bulk size advice.
   */
  maxBytes?: number;
  /** Per call. Default 30 s. */
  requestTimeoutMs?: number;
  /** `refresh` of each `_bulk` call, for tests and dev. Default none. */
  refresh?: boolean | "wait_for";
}

/** Item errors OpenSearch may lift later: a read-only index (disk watermark), a missing index. */
const RETRYABLE_TYPES = new Set([
  "cluster_block_exception",
  "index_not_found_exception",
  "es_rejected_execution_exception",
  "circuit_breaking_exception",
  "unavailable_shards_exception",
]);

interface BulkItem {
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
}

/** An external version is a long: written as bare digits, never through a JS number. */
function actionLine(action: SearchAction): string {
  const meta = `"_index":${JSON.stringify(action.index)},"_id":${JSON.stringify(action.id)}`;
  return `{"${action.op}":{${meta},"version":${action.version},"version_type":"external"}}`;
}

function linesOf(action: SearchAction): string[] {
  const line = actionLine(action);
  // Decoded DynamoDB values (bigint, Decimal, Set, bytes) keep every digit in the source.
  return action.op === "index" ? [line, stringifyDecoded(action.document)] : [line];
}

function itemResult(action: SearchAction, item: BulkItem | undefined): SearchActionResult {
  if (item === undefined || typeof item.status !== "number") {
    return { status: "retry", reason: "the bulk response has no item for this action" };
  }
  const { status } = item;
  if (status < 300) return { status: "applied" };
  // A delete of a missing document still records its version.
  if (action.op === "delete" && status === 404 && item.error === undefined)
    return { status: "applied" };
  const type = item.error?.type ?? "error";
  const reason = `${type}: ${item.error?.reason ?? `status ${status}`}`;
  if (status === 409 && type === "version_conflict_engine_exception") return { status: "stale" };
  if (status === 429 || status >= 500 || RETRYABLE_TYPES.has(type)) {
    return { status: "retry", reason, httpStatus: status };
  }
  return { status: "rejected", reason, httpStatus: status };
}

/** A failed call: nothing says which actions landed, and versions make sending them again safe. */
function callFailure(error: unknown): SearchActionResult {
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return typeof status === "number"
    ? { status: "retry", reason: `status ${status}, ${message}`, httpStatus: status }
    : { status: "retry", reason: message };
}

/** Splits actions into calls within the action and byte limits, keeping their order. */
function chunk(actions: SearchAction[], maxActions: number, maxBytes: number) {
  const calls: { actions: SearchAction[]; lines: string[]; bytes: number }[] = [];
  for (const action of actions) {
    const lines = linesOf(action);
    const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, "utf8") + 1, 0);
    const last = calls.at(-1);
    if (last && last.actions.length < maxActions && last.bytes + bytes <= maxBytes) {
      last.actions.push(action);
      last.lines.push(...lines);
      last.bytes += bytes;
    } else {
      calls.push({ actions: [action], lines, bytes });
    }
  }
  return calls;
}

/**
 * A sink on OpenSearch (or Amazon OpenSearch Service) through `_bulk`: index and delete actions
 * with `version_type: external`. The client does not retry on its own; the processor does.
 */
export function openSearchSink(options: OpenSearchSinkOptions): SearchSink {
  const maxActions = options.maxActions ?? 1_000;
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const requestTimeout = options.requestTimeoutMs ?? 30_000;

  async function call(
    actions: SearchAction[],
    lines: string[],
    signal: AbortSignal | undefined,
  ): Promise<SearchActionResult[]> {
    const request = options.client.bulk(
      {
        // Lines already serialized: the client sends strings of a bulk body as they are.
        body: lines as never,
        ...(options.refresh === undefined ? {} : { refresh: options.refresh }),
      },
      { maxRetries: 0, requestTimeout },
    );
    const abort = () => request.abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      const { body } = await request;
      const items = (body as { items?: Record<string, BulkItem>[] }).items ?? [];
      return actions.map((action, k) => {
        const entry = items[k];
        return itemResult(action, entry ? Object.values(entry)[0] : undefined);
      });
    } catch (error) {
      return actions.map(() => callFailure(error));
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  return {
    async bulk(actions, { signal } = {}) {
      const results: SearchActionResult[] = [];
      for (const batch of chunk(actions, maxActions, maxBytes)) {
        results.push(...(await call(batch.actions, batch.lines, signal)));
      }
      return results;
    },
  };
}

/** AWS credentials as SDK v3 providers return them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type OpenSearchAuth =
  /** A self-managed cluster, or a domain with fine-grained access control's internal users. */
  | { basic: { username: string; password: string } }
  /**
   * Amazon OpenSearch Service: requests signed with SigV4 for `service` (default `es`).
   * `getCredentials` is required: the signer's own fallback loads
   * `@aws-sdk/credential-provider-node`, which this package does not depend on.
   */
  | {
      sigv4: {
        region: string;
        service?: "es" | "aoss";
        getCredentials: () => Promise<AwsCredentials>;
      };
    };

export interface OpenSearchClientOptions {
  /** The endpoint, e.g. `https://search-orders-abc.us-east-1.es.amazonaws.com`. */
  node: string;
  auth?: OpenSearchAuth;
  /** Any other client option (ssl, agent, compression). */
  client?: Omit<ClientOptions, "node" | "nodes" | "auth" | "Connection" | "Transport">;
}

/** A client for `openSearchSink`, signed with SigV4 or using basic auth. */
export function openSearchClient(options: OpenSearchClientOptions): Client {
  const { auth } = options;
  if (auth && "sigv4" in auth) {
    const { region, service = "es", getCredentials } = auth.sigv4;
    return new Client({
      ...options.client,
      ...AwsSigv4Signer({ region, service, getCredentials }),
      node: options.node,
    });
  }
  return new Client({
    ...options.client,
    node: options.node,
    ...(auth ? { auth: auth.basic } : {}),
  });
}
