import {
  type ChangeEvent,
  type DecodeOptions,
  type DynamoDBStreamEvent,
  decodeLambdaEvent,
  type Item,
} from "@sluice/records";
import { type DeadLetterHook, deadLetterOf } from "./dead-letter.js";
import { type Classifier, createClassifier, describeError, type ErrorClass } from "./errors.js";
import { type Logger, type LoggerOptions, resolveLogger } from "./logger.js";
import type { LambdaContext } from "./processor.js";
import { toSlots } from "./slots.js";

export interface WindowInfo {
  start: string;
  end: string;
  shardId?: string;
  /** Lambda ended the window early (state over 1 MB); the next invoke continues it afresh. */
  terminatedEarly: boolean;
}

export interface TumblingWindowConfig<S, T = Item> {
  pipeline: string;
  processor: string;
  /** The state of a new window. */
  initial: () => S;
  /** Folds one change into the state; changes arrive in sequence order. */
  reduce: (state: S, event: ChangeEvent<T>) => S | Promise<S>;
  /** Runs on the final invoke of a window with the complete state. */
  finalize: (state: S, window: WindowInfo) => unknown;
  decode?: DecodeOptions;
  deadLetter?: DeadLetterHook;
  classify?: Classifier | Classifier[];
  unknownErrors?: ErrorClass;
  logger?: Logger | LoggerOptions;
}

export interface WindowResponse<S> {
  state: S;
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * A handler for an event source mapping with TumblingWindowInSeconds. Lambda passes the state
 * returned by the previous invoke of the window; the state of a failed invoke is discarded.
 * So a transient failure throws, and Lambda retries the batch with the state from before it;
 * a permanent one is dead-lettered and the fold goes on.
 */
export function tumblingWindow<S extends object, T = Item>(config: TumblingWindowConfig<S, T>) {
  const classify = createClassifier(config.classify, config.unknownErrors);
  const log = resolveLogger(config.logger).child({
    pipeline: config.pipeline,
    processor: config.processor,
  });
  const names = { pipeline: config.pipeline, processor: config.processor };

  return async (
    event: DynamoDBStreamEvent,
    _context?: LambdaContext,
  ): Promise<WindowResponse<S>> => {
    const incoming = event.state as S | undefined;
    let state = incoming && Object.keys(incoming).length > 0 ? incoming : config.initial();
    const decoded = decodeLambdaEvent<T>(event, config.decode ?? {});
    const slots = toSlots<T>(event.Records, decoded.events, decoded.failures);
    for (const slot of slots) {
      let error: unknown = slot.decodeError;
      if (slot.event) {
        try {
          state = await config.reduce(state, slot.event);
          continue;
        } catch (thrown) {
          error = thrown;
        }
      }
      const errorClass = classify(error);
      if (errorClass === "transient" || !config.deadLetter) {
        log.error("window fold failed; Lambda retries the batch with the previous state", {
          eventId: slot.eventId,
          sequenceNumber: slot.sequenceNumber,
          errorClass,
          error: describeError(error),
        });
        throw error;
      }
      await config.deadLetter([deadLetterOf(slot, error, errorClass, 1, names, new Date())]);
    }
    if (event.isFinalInvokeForWindow && event.window) {
      await config.finalize(state, {
        start: event.window.start,
        end: event.window.end,
        ...(event.shardId ? { shardId: event.shardId } : {}),
        terminatedEarly: event.isWindowTerminatedEarly === true,
      });
    }
    return { state, batchItemFailures: [] };
  };
}
