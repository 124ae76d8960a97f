import type { DynamoDBStreamRecord } from "@sluice/records";
import { describeError, type ErrorClass } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Slot } from "./slots.js";

/** A record that failed permanently, handed to the dead-letter hook. */
export interface DeadLetter {
  /** The record exactly as Lambda delivered it. */
  record: DynamoDBStreamRecord;
  error: {
    class: "permanent" | "transient";
    name: string;
    code?: string;
    message: string;
    stack?: string;
  };
  /** Attempts made in this invocation. */
  attempts: number;
  processor: string;
  pipeline: string;
  firstFailureAt: Date;
  lastFailureAt: Date;
}

/**
 * Receives permanently failed records. It must resolve only once the record is stored somewhere
 * durable; if it throws, the runtime reports the record to Lambda for redelivery instead.
 */
export type DeadLetterHook = (letters: DeadLetter[]) => Promise<void>;

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

/** Hands letters to the hook; a missing or failing hook leaves the records failed, not dropped. */
export async function sendToDeadLetter(
  letters: DeadLetter[],
  hook: DeadLetterHook | undefined,
  log: Logger,
): Promise<"dead-lettered" | "failed"> {
  if (!hook) {
    log.error(
      "Permanent failure and no deadLetter hook: the record is reported for redelivery. " +
        "Configure deadLetter (or Lambda's retry limit and on-failure destination).",
      { eventIds: letters.map((l) => l.record.eventID) },
    );
    return "failed";
  }
  try {
    await hook(letters);
    for (const letter of letters) {
      log.warn("record dead-lettered", {
        eventId: letter.record.eventID,
        sequenceNumber: letter.record.dynamodb?.SequenceNumber,
        error: letter.error,
      });
    }
    return "dead-lettered";
  } catch (error) {
    log.error("the dead-letter hook failed: the record is reported for redelivery", {
      eventIds: letters.map((l) => l.record.eventID),
      error: describeError(error),
    });
    return "failed";
  }
}
