// A stand-in for OpenSearch's document write APIs, for contract tests: `_bulk` (index and delete
// with external versions), single-document index and delete, and OpenSearch's response shapes.
// It keeps documents and the versions of deleted ones (for `gcDeletesMs`, like index.gc_deletes),
// checks fields against a declared mapping, and injects faults. Not a search engine: no queries.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FieldType = "long" | "double" | "keyword" | "text" | "boolean" | "object";

export interface BulkItem {
  op: "index" | "delete";
  index: string;
  id: string;
  /** Absent without `version_type: external` (OpenSearch then counts versions itself). */
  version?: bigint;
  source?: Record<string, unknown>;
}

export interface BulkCall {
  /** 1 for the first `_bulk` request, counting failed ones. */
  number: number;
  items: BulkItem[];
  /** The request body exactly as received. */
  body: string;
  headers: IncomingMessage["headers"];
  /** The status of each item's answer; empty when the whole request was refused. */
  statuses: number[];
}

export interface Faults {
  /** Answer the whole request with this status, or apply it and then drop the connection. */
  request?: (call: BulkCall) => 429 | 503 | "drop" | undefined;
  /** Refuse one item of a bulk with 429 (es_rejected_execution_exception). */
  item?: (item: BulkItem, call: BulkCall) => 429 | undefined;
}

export interface StoredEntry {
  version: bigint;
  /** Absent once deleted. */
  source?: Record<string, unknown>;
  deletedAt?: number;
}

export interface ContractServer {
  url: string;
  faults: Faults;
  /** Every `_bulk` request, including refused and dropped ones. */
  bulkCalls: BulkCall[];
  /** Every request by method and path, e.g. `POST /_bulk`, `PUT /orders/_doc/o-1`. */
  requests: string[];
  /** The live documents of an index, by id. */
  documents(index: string): Map<string, { version: bigint; source: Record<string, unknown> }>;
  /** What the index keeps for an id: live, or a delete's version while gc_deletes keeps it. */
  entry(index: string, id: string): StoredEntry | undefined;
  close(): Promise<void>;
}

export interface ContractServerOptions {
  /** Declared field types per index; values that do not fit fail with mapper_parsing_exception. */
  mappings?: Record<string, Record<string, FieldType>>;
  /** How long a deleted document's version is kept. Default 60 s, as index.gc_deletes. */
  gcDeletesMs?: number;
  now?: () => number;
  /** Require this basic auth; 401 otherwise. */
  basicAuth?: { username: string; password: string };
}

/** JSON with integers beyond 2^53 read exactly (OpenSearch versions are longs). */
function parseJson(text: string): unknown {
  return JSON.parse(text, (key, value, context?: { source?: string }) =>
    key === "version" && typeof value === "number" && context?.source
      ? BigInt(context.source)
      : value,
  );
}

/** JSON with bigints written as bare digits (JSON.rawJSON, Node 21 and later). */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
const writeJson = (value: unknown) =>
  JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? rawJson(v.toString()) : v));

function valueAt(source: Record<string, unknown>, path: string): unknown {
  let value: unknown = source;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** OpenSearch's mapper_parsing_exception reason for a value that does not fit, or undefined. */
function mappingProblem(
  id: string,
  source: Record<string, unknown>,
  mapping: Record<string, FieldType> = {},
): string | undefined {
  for (const [field, type] of Object.entries(mapping)) {
    const value = valueAt(source, field);
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const fits =
        type === "object"
          ? typeof v === "object"
          : typeof v === "object"
            ? false
            : type === "long" || type === "double"
              ? typeof v === "number" ||
                (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)))
              : type === "boolean"
                ? typeof v === "boolean" || v === "true" || v === "false"
                : true;
      if (!fits) {
        return `failed to parse field [${field}] of type [${type}] in document with id '${id}'. Preview of field's value: '${typeof v === "object" ? JSON.stringify(v) : String(v)}'`;
      }
    }
  }
  return undefined;
}

const shards = { total: 2, successful: 1, failed: 0 };

function errorBody(status: number, type: string, reason: string) {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

export async function startContractServer(
  options: ContractServerOptions = {},
): Promise<ContractServer> {
  const gcDeletesMs = options.gcDeletesMs ?? 60_000;
  const now = options.now ?? Date.now;
  const indexes = new Map<string, Map<string, StoredEntry>>();
  const bulkCalls: BulkCall[] = [];
  const requests: string[] = [];
  let seqNo = 0;
  let faults: Faults = {};

  const docsOf = (index: string) => {
    const docs = indexes.get(index) ?? new Map<string, StoredEntry>();
    indexes.set(index, docs);
    return docs;
  };
  /** The entry, with a delete's version forgotten once gc_deletes has passed. */
  const current = (index: string, id: string) => {
    const entry = indexes.get(index)?.get(id);
    if (entry?.deletedAt !== undefined && now() - entry.deletedAt >= gcDeletesMs) {
      indexes.get(index)!.delete(id);
      return undefined;
    }
    return entry;
  };

  /** One write, as OpenSearch's engine does it: the response item without its op key. */
  function write(item: BulkItem): Record<string, unknown> {
    const base = { _index: item.index, _id: item.id };
    const entry = current(item.index, item.id);
    const external = item.version !== undefined;
    if (external && entry && item.version! <= entry.version) {
      return {
        ...base,
        status: 409,
        error: {
          type: "version_conflict_engine_exception",
          reason: `[${item.id}]: version conflict, current version [${entry.version}] is higher or equal to the one provided [${item.version}]`,
          index: item.index,
          shard: "0",
        },
      };
    }
    if (item.op === "index") {
      const problem = mappingProblem(item.id, item.source ?? {}, options.mappings?.[item.index]);
      if (problem) {
        return {
          ...base,
          status: 400,
          error: { type: "mapper_parsing_exception", reason: problem },
        };
      }
    }
    const version = external ? item.version! : (entry?.version ?? 0n) + 1n;
    const live = entry?.source !== undefined;
    const written = {
      ...base,
      _version: version,
      _shards: shards,
      _seq_no: seqNo++,
      _primary_term: 1,
    };
    if (item.op === "delete") {
      docsOf(item.index).set(item.id, { version, deletedAt: now() });
      return live
        ? { ...written, result: "deleted", status: 200 }
        : { ...written, result: "not_found", status: 404 };
    }
    docsOf(item.index).set(item.id, { version, source: item.source ?? {} });
    return live
      ? { ...written, result: "updated", status: 200 }
      : { ...written, result: "created", status: 201 };
  }

  function parseBulk(body: string, pathIndex: string | undefined): BulkItem[] {
    const lines = body.split("\n").filter((line) => line.trim() !== "");
    const items: BulkItem[] = [];
    for (let i = 0; i < lines.length; i++) {
      const action = parseJson(lines[i]!) as Record<string, Record<string, unknown>>;
      const op = Object.keys(action)[0];
      if (op !== "index" && op !== "delete") throw new Error(`unsupported bulk action ${op}`);
      const meta = action[op]!;
      const item: BulkItem = {
        op,
        index: String(meta._index ?? pathIndex),
        id: String(meta._id),
        ...(meta.version_type === "external" ? { version: meta.version as bigint } : {}),
      };
      if (op === "index") item.source = JSON.parse(lines[++i]!) as Record<string, unknown>;
      items.push(item);
    }
    return items;
  }

  function send(res: ServerResponse, status: number, body: unknown) {
    const text = writeJson(body);
    res.writeHead(status, {
      "content-type": "application/json; charset=UTF-8",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  function bulk(req: IncomingMessage, res: ServerResponse, body: string, pathIndex?: string) {
    const started = performance.now();
    const items = parseBulk(body, pathIndex);
    const call: BulkCall = {
      number: bulkCalls.length + 1,
      items,
      body,
      headers: req.headers,
      statuses: [],
    };
    bulkCalls.push(call);
    const fault = faults.request?.(call);
    if (fault === 429) {
      return send(
        res,
        429,
        errorBody(
          429,
          "es_rejected_execution_exception",
          "rejected execution of coordinating operation [shard_level_bulk]",
        ),
      );
    }
    if (fault === 503) {
      return send(
        res,
        503,
        errorBody(503, "unavailable_shards_exception", "primary shard is not active"),
      );
    }
    const answers = items.map((item) => {
      if (faults.item?.(item, call) === 429) {
        return {
          [item.op]: {
            _index: item.index,
            _id: item.id,
            status: 429,
            error: {
              type: "es_rejected_execution_exception",
              reason: "rejected execution of primary operation [write queue full]",
            },
          },
        };
      }
      return { [item.op]: write(item) };
    });
    call.statuses = answers.map((a) => (Object.values(a)[0] as { status: number }).status);
    // Applied, but the answer never arrives: the client sees the connection close.
    if (fault === "drop") return req.socket.destroy();
    send(res, 200, {
      took: Math.round(performance.now() - started),
      errors: call.statuses.some((status) => status >= 300),
      items: answers,
    });
  }

  /** PUT/POST /{index}/_doc/{id} and DELETE /{index}/_doc/{id}, with version in the query. */
  function single(
    res: ServerResponse,
    method: string,
    index: string,
    id: string,
    url: URL,
    body: string,
  ) {
    const external = url.searchParams.get("version_type") === "external";
    const versionText = url.searchParams.get("version");
    const item: BulkItem = {
      op: method === "DELETE" ? "delete" : "index",
      index,
      id,
      ...(external && versionText ? { version: BigInt(versionText) } : {}),
      ...(method === "DELETE" ? {} : { source: JSON.parse(body) as Record<string, unknown> }),
    };
    const answer = write(item);
    const status = answer.status as number;
    if (answer.error) {
      const error = answer.error as { type: string; reason: string };
      return send(res, status, errorBody(status, error.type, error.reason));
    }
    const { status: _status, ...rest } = answer;
    send(res, status, rest);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      requests.push(`${method} ${url.pathname}`);
      if (options.basicAuth) {
        const expected = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString("base64")}`;
        if (req.headers.authorization !== expected) {
          return send(
            res,
            401,
            errorBody(
              401,
              "security_exception",
              "missing authentication credentials for REST request",
            ),
          );
        }
      }
      try {
        const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
        if (
          (method === "POST" || method === "PUT") &&
          parts.at(-1) === "_bulk" &&
          parts.length <= 2
        ) {
          return bulk(req, res, body, parts.length === 2 ? parts[0] : undefined);
        }
        if (
          parts.length === 3 &&
          parts[1] === "_doc" &&
          ["PUT", "POST", "DELETE"].includes(method)
        ) {
          return single(res, method, parts[0]!, parts[2]!, url, body);
        }
        send(
          res,
          400,
          errorBody(400, "illegal_argument_exception", `no handler for ${method} ${url.pathname}`),
        );
      } catch (error) {
        send(res, 400, errorBody(400, "parse_exception", (error as Error).message));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get faults() {
      return faults;
    },
    set faults(next: Faults) {
      faults = next;
    },
    bulkCalls,
    requests,
    documents(index) {
      const live = new Map<string, { version: bigint; source: Record<string, unknown> }>();
      for (const [id, entry] of indexes.get(index) ?? []) {
        if (entry.source) live.set(id, { version: entry.version, source: entry.source });
      }
      return live;
    },
    entry: current,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
