import {
  type AnyDocument,
  type AnySchema,
  create,
  insert,
  type Orama,
  type Results,
  remove,
  type SearchParams,
  search,
  type TypedDocument,
} from "@orama/orama";
import type { SearchAction, SearchActionResult, SearchSink } from "../sink.js";

export interface EmbeddedSinkOptions<S extends AnySchema> {
  /** Orama schema of the documents: the fields that full text, `where` and `sortBy` can use. */
  schema: S;
  /** Orama's tokenizer language. Default english. */
  language?: string;
}

/** What an index holds for an id: the newest version written, and the document unless deleted. */
export interface StoredDocument {
  version: bigint;
  document?: object;
}

export interface EmbeddedSink<S extends AnySchema> extends SearchSink {
  /**
   * Orama's search on one index: `term` and `properties` (full text), `where`, `sortBy`, `limit`,
   * `offset`. Hit ids are document ids.
   */
  search(
    index: string,
    params: SearchParams<Orama<S>, TypedDocument<Orama<S>>>,
  ): Promise<Results<TypedDocument<Orama<S>>>>;
  /** The version and document for an id, deleted ones included (without `document`). */
  get(index: string, id: string): StoredDocument | undefined;
  /** The documents an index holds, by id. */
  documents(index: string): Map<string, { version: bigint; document: object }>;
}

interface IndexState<S extends AnySchema> {
  db: Orama<S>;
  /**
   * A document was removed since the index was built. Orama 3.1's number index can lose other
   * documents' entries on removal (a `where` on a number then misses matches), so the next
   * search rebuilds the index from the stored documents first.
   */
  removed: boolean;
  /** Deleted documents keep their version for good: a late older write never brings one back. */
  versions: Map<string, StoredDocument>;
}

/**
 * An in-process sink on Orama, for `sluice dev` and tests: the same version rule as OpenSearch's
 * external versions, and real queries. Indexes are created on first use with the one schema.
 */
export function embeddedSink<S extends AnySchema>(
  options: EmbeddedSinkOptions<S>,
): EmbeddedSink<S> {
  const indexes = new Map<string, IndexState<S>>();
  // Orama takes a document's id from the document; this keeps the document as it was given.
  const ids = new WeakMap<AnyDocument, string>();

  const newDb = () =>
    create({
      schema: options.schema,
      ...(options.language ? { language: options.language } : {}),
      components: { getDocumentIndexId: (doc: AnyDocument) => ids.get(doc)! },
    }) as Orama<S>;

  function stateOf(index: string): IndexState<S> {
    let state = indexes.get(index);
    if (!state) {
      state = { db: newDb(), removed: false, versions: new Map() };
      indexes.set(index, state);
    }
    return state;
  }

  async function rebuild(state: IndexState<S>): Promise<void> {
    state.db = newDb();
    state.removed = false;
    for (const [id, stored] of state.versions) {
      if (stored.document) await put(state, id, stored.document);
    }
  }

  async function removeFrom(state: IndexState<S>, id: string): Promise<void> {
    await remove(state.db, id);
    state.removed = true;
  }

  async function put(state: IndexState<S>, id: string, document: object): Promise<void> {
    const copy = { ...document } as AnyDocument;
    ids.set(copy, id);
    await insert(state.db, copy as never);
  }

  async function apply(action: SearchAction): Promise<SearchActionResult> {
    const state = stateOf(action.index);
    const stored = state.versions.get(action.id);
    if (stored && action.version <= stored.version) return { status: "stale" };
    if (action.op === "delete") {
      if (stored?.document) await removeFrom(state, action.id);
      state.versions.set(action.id, { version: action.version });
      return { status: "applied" };
    }
    const problem = state.db.validateSchema(action.document as AnyDocument, state.db.schema);
    if (problem) {
      return {
        status: "rejected",
        reason: `schema_validation: field [${problem}] does not match the schema`,
      };
    }
    if (stored?.document) await removeFrom(state, action.id);
    try {
      await put(state, action.id, action.document);
    } catch (error) {
      if (stored?.document) await put(state, action.id, stored.document);
      const reason = error instanceof Error ? error.message : String(error);
      return { status: "rejected", reason: `orama: ${reason}` };
    }
    state.versions.set(action.id, { version: action.version, document: action.document });
    return { status: "applied" };
  }

  return {
    async bulk(actions) {
      const results: SearchActionResult[] = [];
      for (const action of actions) results.push(await apply(action));
      return results;
    },
    async search(index, params) {
      const state = stateOf(index);
      if (state.removed) await rebuild(state);
      return search(state.db, params) as Promise<Results<TypedDocument<Orama<S>>>>;
    },
    get(index, id) {
      return indexes.get(index)?.versions.get(id);
    },
    documents(index) {
      const live = new Map<string, { version: bigint; document: object }>();
      for (const [id, { version, document }] of indexes.get(index)?.versions ?? []) {
        if (document) live.set(id, { version, document });
      }
      return live;
    },
  };
}

/** Process-wide, so a handler reloaded from a fresh bundle finds the index it filled before. */
const registry = globalThis as { [key: symbol]: Map<string, EmbeddedSink<AnySchema>> | undefined };
const sharedKey = Symbol.for("sluice.embedded-sinks");
registry[sharedKey] ??= new Map();
const shared = registry[sharedKey];

/**
 * The embedded sink of this name in this process, made on first use. `sluice dev` points a
 * handler's search domain variable at `embedded:<name>`; the handler and the dev session both
 * reach the same index through this.
 */
export function sharedEmbeddedSink<S extends AnySchema>(
  name: string,
  options: EmbeddedSinkOptions<S>,
): EmbeddedSink<S> {
  let sink = shared.get(name);
  if (sink === undefined) {
    sink = embeddedSink(options) as never as EmbeddedSink<AnySchema>;
    shared.set(name, sink);
  }
  return sink as never as EmbeddedSink<S>;
}
