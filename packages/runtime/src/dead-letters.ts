import type { DeadLetter } from "./dead-letter.js";
import { describeError, type ErrorClass } from "./errors.js";
import type { Slot } from "./slots.js";

export function deadLetterOf<T>(
  slot: Slot<T>,
  error: unknown,
  errorClass: ErrorClass,
  attempts: number,
  names: { pipeline: string; processor: string },
  firstFailureAt: Date,
): DeadLetter {
  return {
    record: slot.record,
    error: { class: errorClass, ...describeError(error) },
    attempts,
    processor: names.processor,
    pipeline: names.pipeline,
    firstFailureAt,
    lastFailureAt: new Date(),
  };
}
