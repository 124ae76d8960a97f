import { CommitRefusedError } from "./checkpoint/session.js";
import { type DeadLetter, deadLetterOf, sendToDeadLetter } from "./dead-letter.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Outcome } from "./outcome.js";
import type { BatchProcessor } from "./processor.js";
import { context, markApplied, type RunEnv, recordFields } from "./run-env.js";
import type { Slot } from "./slots.js";

/**
 * The batch through a batch processor: each attempt passes the events still pending; permanent
 * failures are dead-lettered, transient ones come back in the next attempt.
 */
export async function runBatch<T>(
  processor: BatchProcessor<T>,
  slots: Slot<T>[],
  outcomes: Outcome[],
  env: RunEnv,
  log: Logger,
): Promise<void> {
  const names = { pipeline: env.pipeline, processor: processor.name };
  const now = new Date();
  // Checkpoints deferred until a conflict are read before anything is dead-lettered too: an
  // earlier delivery may have dead-lettered it already.
  const readCheckpoints = async () => {
    await env.readOnConflict?.();
    delete env.readOnConflict;
  };
  if (slots.some((slot) => !slot.event)) await readCheckpoints();
  const undecoded = slots
    .map((slot, index) => ({ slot, index }))
    .filter(({ slot, index }) => outcomes[index] !== "skipped" && !slot.event);
  if (undecoded.length > 0) {
    const letters = undecoded.map(({ slot }) =>
      deadLetterOf(slot, slot.decodeError, "permanent", 1, names, now),
    );
    const outcome = await sendToDeadLetter(letters, env.deadLetter, log);
    for (const { index } of undecoded) outcomes[index] = outcome;
  }
  let pending = slots
    .map((_, index) => index)
    .filter((index) => outcomes[index] !== "skipped" && slots[index]!.event);
  const firstFailure = new Map<number, Date>();
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (env.deadline.expired) {
      for (const index of pending) outcomes[index] = attempt === 1 ? "not-started" : "failed";
      return;
    }
    const events = pending.map((index) => slots[index]!.event!);
    let results: { ok: boolean; error?: unknown }[];
    try {
      const ctx = context(env, processor.name, attempt, log);
      if (env.commit) ctx.commit = env.commit;
      results = await processor.process(events, ctx);
      if (results.length !== events.length) {
        throw new Error(
          `Processor "${processor.name}" returned ${results.length} results for ${events.length} events; return one result per event, in order.`,
        );
      }
    } catch (error) {
      results = events.map(() => ({ ok: false, error }));
    }
    // A refused commit, when checkpoints are read on conflict, is no failure: an earlier
    // delivery applied some of the events. Read which, and go again without them.
    const deferred = env.readOnConflict !== undefined;
    const refused = (result: { ok: boolean; error?: unknown }) =>
      deferred && !result.ok && result.error instanceof CommitRefusedError;
    const conflict = results.some(refused);
    const retry: number[] = [];
    const letters: { index: number; letter: DeadLetter }[] = [];
    for (const [i, result] of results.entries()) {
      const index = pending[i]!;
      const slot = slots[index]!;
      if (result.ok) {
        outcomes[index] = "applied";
        await markApplied(slot, env, log);
        continue;
      }
      if (refused(result)) {
        retry.push(index);
        continue;
      }
      const at = firstFailure.get(index) ?? new Date();
      firstFailure.set(index, at);
      const errorClass = env.classify(result.error);
      log.warn("record failed", {
        ...recordFields(slot as Slot<unknown>),
        attempt,
        errorClass,
        error: describeError(result.error),
      });
      if (errorClass === "permanent") {
        letters.push({
          index,
          letter: deadLetterOf(slot, result.error, errorClass, attempt, names, at),
        });
      } else {
        retry.push(index);
      }
    }
    if (letters.length > 0) await readCheckpoints();
    const unfinished = letters.filter(({ index }) => outcomes[index] !== "skipped");
    if (unfinished.length > 0) {
      const outcome = await sendToDeadLetter(
        unfinished.map((l) => l.letter),
        env.deadLetter,
        log,
      );
      for (const { index } of unfinished) outcomes[index] = outcome;
    }
    if (conflict) {
      await readCheckpoints();
      pending = retry.filter((index) => outcomes[index] !== "skipped");
      attempt--;
      continue;
    }
    pending = retry;
    if (pending.length === 0) return;
    const delay = env.retry.delay(attempt);
    if (attempt >= env.retry.maxAttempts || !env.deadline.allows(delay)) {
      for (const index of pending) outcomes[index] = "failed";
      return;
    }
    await env.retry.sleep(delay);
  }
}
