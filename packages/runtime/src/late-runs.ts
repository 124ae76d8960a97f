import type { Outcome } from "./outcome.js";

/**
 * Record runs that outlived their invocation: a handler that ignored `ctx.signal` was still
 * running when the batch answered Lambda. Lambda freezes such work with the container and thaws
 * it on the container's next invocation, which is usually the redelivery of that very record; the
 * redelivery then takes the late run's outcome instead of running the record a second time.
 */
const lateRuns = new Map<string, Promise<Outcome>>();

/** What one container remembers at most; the oldest is forgotten first. */
const maxLateRuns = 10_000;

export const lateRunKey = (pipeline: string, processor: string, eventId: string): string =>
  `${pipeline}|${processor}|${eventId}`;

export function keepLateRun(key: string, run: Promise<Outcome>): void {
  lateRuns.set(key, run);
  if (lateRuns.size > maxLateRuns) lateRuns.delete(lateRuns.keys().next().value as string);
}

export function takeLateRun(key: string): Promise<Outcome> | undefined {
  const run = lateRuns.get(key);
  lateRuns.delete(key);
  return run;
}
