/**
 * What became of a record in one processor:
 * - applied: the processor succeeded;
 * - dead-lettered: failed permanently and the dead-letter hook stored it;
 * - skipped: already applied in an earlier delivery (checkpoint or dedupe);
 * - failed: failed transiently past the retries, or the dead-letter hook failed;
 * - not-started: held back behind a failure of its item, or by the deadline.
 */
export type Outcome = "applied" | "dead-lettered" | "skipped" | "failed" | "not-started";

/** Finished records need no redelivery. */
export const isFinished = (outcome: Outcome | undefined): boolean =>
  outcome === "applied" || outcome === "dead-lettered" || outcome === "skipped";
