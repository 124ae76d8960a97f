/** One write to a search index. Versions are OpenSearch external versions: 0 to 2^63 - 1. */
export type SearchAction =
  | { op: "index"; index: string; id: string; version: bigint; document: object }
  | { op: "delete"; index: string; id: string; version: bigint };

/**
 * What a sink did with one action:
 * - `applied`: written (a delete of a missing document counts: its version is kept);
 * - `stale`: the sink already holds this version or a newer one, so the action changes nothing;
 * - `retry`: refused for now (throttled, unavailable, the call failed); safe to send again;
 * - `rejected`: the document can never be written as it is (a mapping or parse error).
 */
export type SearchActionResult =
  | { status: "applied" }
  | { status: "stale" }
  | { status: "retry"; reason: string; httpStatus?: number }
  | { status: "rejected"; reason: string; httpStatus?: number };

/**
 * Where documents go. `bulk` answers one result per action, in order; a sink splits the actions
 * into calls by its own limits. A throw counts as `retry` for every action.
 */
export interface SearchSink {
  bulk(actions: SearchAction[], options?: { signal?: AbortSignal }): Promise<SearchActionResult[]>;
}
