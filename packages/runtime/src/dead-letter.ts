import type { DynamoDBStreamRecord } from "@sluice/records";

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
