export { defaultDocumentId, MAX_DOCUMENT_ID_BYTES } from "./document-id.js";
export { type SearchIndexOptions, searchIndex } from "./search-index.js";
export { SearchIndexError, type SearchIndexErrorCode } from "./search-index-error.js";
export type { SearchAction, SearchActionResult, SearchSink } from "./sink.js";
export {
  type EmbeddedSink,
  type EmbeddedSinkOptions,
  embeddedSink,
  type StoredDocument,
  sharedEmbeddedSink,
} from "./sinks/embedded.js";
export {
  type AwsCredentials,
  type OpenSearchAuth,
  type OpenSearchClientOptions,
  type OpenSearchSinkOptions,
  openSearchClient,
  openSearchSink,
} from "./sinks/opensearch.js";
export {
  attributeVersion,
  MAX_VERSION,
  SEQUENCE_DIGITS,
  streamVersion,
  type VersionSource,
} from "./version.js";
