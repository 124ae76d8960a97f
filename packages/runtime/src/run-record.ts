import { deadLetterOf, sendToDeadLetter } from "./dead-letter.js";
import { describeError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Outcome } from "./outcome.js";
import type { RecordProcessor } from "./processor.js";
import { context, markApplied, type RunEnv, recordFields } from "./run-env.js";
import type { Slot } from "./slots.js";

/** One record through a record processor: attempts with backoff, then dead letter or failure. */
export async function runRecord<T>(
  processor: RecordProcessor<T>,
  slot: Slot<T>,
  env: RunEnv,
  log: Logger,
): Promise<Outcome> {
  const names = { pipeline: env.pipeline, processor: processor.name };
  if (slot.decodeError || !slot.event) {
    const error = slot.decodeError ?? new Error("The record was neither decoded nor rejected.");
    return sendToDeadLetter(
      [deadLetterOf(slot, error, "permanent", 1, names, new Date())],
      env.deadLetter,
      log,
    );
  }
  let firstFailureAt: Date | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await processor.handle(slot.event, context(env, processor.name, attempt, log));
    } catch (error) {
      firstFailureAt ??= new Date();
      const errorClass = env.classify(error);
      log.warn("record failed", {
        ...recordFields(slot as Slot<unknown>),
        attempt,
        errorClass,
        error: describeError(error),
      });
      if (errorClass === "permanent") {
        const letter = deadLetterOf(slot, error, errorClass, attempt, names, firstFailureAt);
        return sendToDeadLetter([letter], env.deadLetter, log);
      }
      if (attempt >= env.retry.maxAttempts) return "failed";
      const delay = env.retry.delay(attempt);
      if (!env.deadline.allows(delay)) return "failed";
      await env.retry.sleep(delay);
      continue;
    }
    await markApplied(slot, env, log);
    return "applied";
  }
}
