import type { ResourceNeed } from "./types.js";

/**
 * The environment variables infra sets on every subscriber's function (and `sluice dev` on its
 * local handlers), so handlers find their resources without knowing how they were deployed.
 */
export const pipelineEnvironment = {
  pipeline: "SLUICE_PIPELINE",
  subscriber: "SLUICE_SUBSCRIBER",
  /** Present when the subscriber dead-letters to the queue: sluice's router sends there. */
  deadLetterQueueUrl: "SLUICE_DLQ_URL",
} as const;

/** One variable per resource a subscriber `needs`; only the needed ones are set. */
export const resourceEnvironment = {
  checkpoints: "SLUICE_CHECKPOINT_TABLE",
  archiveBucket: "SLUICE_ARCHIVE_BUCKET",
  searchDomain: "SLUICE_SEARCH_URL",
  eventBus: "SLUICE_EVENT_BUS",
  aggregatesTable: "SLUICE_AGGREGATES_TABLE",
} as const satisfies Record<ResourceNeed, string>;

/** The search domain's master user credentials live in Secrets Manager; this names the secret. */
export const searchCredentialsEnvironment = "SLUICE_SEARCH_SECRET_ARN";

/** `sluice dev` has no OpenSearch: its search domain variable names an in-process index. */
const embeddedSearchScheme = "embedded:";

/** The search domain variable's value that names the in-process index `name`. */
export const embeddedSearchUrl = (name: string): string => `${embeddedSearchScheme}${name}`;

/** The in-process index a search domain variable names, or undefined for a real domain. */
export function embeddedSearchIndex(url: string): string | undefined {
  return url.startsWith(embeddedSearchScheme) ? url.slice(embeddedSearchScheme.length) : undefined;
}
