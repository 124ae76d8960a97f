import type { ChangeEvent, InsertEvent, Item, ModifyEvent } from "@sluice/records";
import {
  type BatchProcessor,
  permanent,
  type RecordResult,
  type RetryOptions,
  transient,
} from "@sluice/runtime";
import { defaultDocumentId, documentIdProblem } from "./document-id.js";
import { SearchIndexError } from "./search-index-error.js";
import type { SearchAction, SearchSink } from "./sink.js";
import { VersionError, type VersionSource, versionOf } from "./version.js";
import { type WrittenAction, writeActions } from "./write-actions.js";

export interface SearchIndexOptions<T, D extends object> {
  /** Names the processor: its checkpoint, logs and dead letters. */
  name: string;
  sink: SearchSink;
  /** The index the documents go to. */
  index: string;
  /**
   * The document of an inserted or modified item, or `undefined` when the item has none: an
   * insert then writes nothing, a modify deletes the document (it may have had one before).
   * A remove always deletes. Throw `PoisonRecordError` for an item that can never be indexed.
   */
  toDocument: (item: T, change: InsertEvent<T> | ModifyEvent<T>) => D | undefined;
  /** The document id of an item. Default: its key values by attribute name, joined by `|`. */
  id?: (keys: Item) => string;
  /** Default `"stream"`: derived from the change (see `streamVersion`). */
  version?: VersionSource;
  /**
   * Soft deletes: a delete writes `{ [field]: true }` at its version instead of removing the
   * document, and every document gets `[field]: false`. The marker keeps the delete's version
   * for good, where OpenSearch forgets a deleted document's version after `index.gc_deletes`.
   */
  softDeleteField?: string;
  /** Backoff for actions the sink answers `retry` (429, 5xx, failed calls). Default 3 attempts. */
  retry?: RetryOptions;
}

const OK: RecordResult = { ok: true };

/**
 * A batch processor that keeps a search index in step with the table: one bulk call per batch,
 * upserts on insert and modify, deletes on remove, each carrying an external version so that an
 * older change never overwrites a newer document.
 */
export function searchIndex<T = Item, D extends object = object>(
  options: SearchIndexOptions<T, D>,
): BatchProcessor<T> {
  if (!options.index) throw new Error("searchIndex needs an `index` name.");
  const source = options.version ?? "stream";
  const idOf = options.id ?? defaultDocumentId;
  const soft = options.softDeleteField;
  const target = (documentId?: string) => ({
    index: options.index,
    ...(documentId === undefined ? {} : { documentId }),
  });

  function documentId(change: ChangeEvent<T>): string {
    const id = idOf(change.keys);
    const problem = documentIdProblem(id);
    if (problem) {
      throw permanent(new SearchIndexError("INVALID_DOCUMENT_ID", problem, change, target()));
    }
    return id;
  }

  function version(change: ChangeEvent<T>, id: string): bigint {
    try {
      return versionOf(change, source);
    } catch (error) {
      if (!(error instanceof VersionError)) throw error;
      throw permanent(new SearchIndexError("INVALID_VERSION", error.message, change, target(id)));
    }
  }

  function deletion(change: ChangeEvent<T>, id: string): SearchAction {
    const at = version(change, id);
    if (!soft) return { op: "delete", index: options.index, id, version: at };
    return { op: "index", index: options.index, id, version: at, document: { [soft]: true } };
  }

  /** The action for a change, or undefined when it writes nothing. */
  function actionOf(change: ChangeEvent<T>, id: string): SearchAction | undefined {
    if (change.kind === "remove") return deletion(change, id);
    if (change.newImage === undefined) {
      const message = `a ${change.kind} without its new image cannot be indexed: the stream needs NEW_IMAGE or NEW_AND_OLD_IMAGES`;
      throw permanent(new SearchIndexError("MISSING_IMAGE", message, change, target(id)));
    }
    const document = options.toDocument(change.newImage, change);
    if (document === undefined) return change.kind === "insert" ? undefined : deletion(change, id);
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
      const message = `toDocument returned ${Array.isArray(document) ? "an array" : String(document)}; return an object or undefined`;
      throw permanent(new SearchIndexError("INVALID_DOCUMENT", message, change, target(id)));
    }
    return {
      op: "index",
      index: options.index,
      id,
      version: version(change, id),
      document: soft ? { ...document, [soft]: false } : document,
    };
  }

  function resultOf(written: WrittenAction, change: ChangeEvent<T>, id: string): RecordResult {
    const { result, attempts } = written;
    if (result.status === "applied" || result.status === "stale") return OK;
    const details = {
      ...target(id),
      reason: result.reason,
      ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
    };
    if (result.status === "rejected") {
      const message = `the index refused the document: ${result.reason}`;
      return {
        ok: false,
        error: permanent(new SearchIndexError("DOCUMENT_REJECTED", message, change, details)),
      };
    }
    const message = `not written after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${result.reason}`;
    return {
      ok: false,
      error: transient(new SearchIndexError("WRITE_FAILED", message, change, details)),
    };
  }

  return {
    name: options.name,
    async process(events, ctx) {
      const results: (RecordResult | undefined)[] = events.map(() => undefined);
      const ids: (string | undefined)[] = [];
      // Versions only move forward, so a document's last change in the batch is the one to write.
      const latest = new Map<string, number>();
      events.forEach((change, position) => {
        try {
          const id = documentId(change);
          ids[position] = id;
          latest.set(id, position);
        } catch (error) {
          results[position] = { ok: false, error };
        }
      });
      const sends: { position: number; action: SearchAction }[] = [];
      for (const [id, position] of latest) {
        try {
          const action = actionOf(events[position]!, id);
          if (action) sends.push({ position, action });
          else results[position] = OK;
        } catch (error) {
          results[position] = { ok: false, error };
        }
      }
      const written = await writeActions(
        options.sink,
        sends.map((send) => send.action),
        options.retry,
        ctx.signal,
      );
      sends.forEach(({ position, action }, k) => {
        results[position] = resultOf(written[k]!, events[position]!, action.id);
      });
      // An earlier change is done once the document's last one is; until then it waits with it.
      return events.map((change, position) => {
        const own = results[position];
        if (own) return own;
        const id = ids[position]!;
        if (results[latest.get(id)!]!.ok) return OK;
        const message = "a later change of this document in the batch is not written yet";
        return {
          ok: false,
          error: transient(
            new SearchIndexError("LATER_CHANGE_PENDING", message, change, target(id)),
          ),
        };
      });
    },
  };
}
