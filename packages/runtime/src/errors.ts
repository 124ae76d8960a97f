import { SluiceDecodeError } from "@sluice/records";

/** Permanent errors will fail again on every retry; transient ones may pass later. */
export type ErrorClass = "permanent" | "transient";

/**
 * Throw this when a record can never be processed (bad data, an impossible state). The runtime
 * dead-letters it at once and goes on with the batch.
 */
export class PoisonRecordError extends Error {
  override readonly name = "PoisonRecordError";
}

const marked = Symbol.for("sluice.errorClass");

interface Marked {
  [marked]?: ErrorClass;
}

function mark(error: unknown, errorClass: ErrorClass): Error {
  const wrapped = error instanceof Error ? error : new Error(String(error), { cause: error });
  (wrapped as Marked)[marked] = errorClass;
  return wrapped;
}

/** Marks an error as permanent: `throw permanent(err)` dead-letters the record instead of retrying. */
export const permanent = (error: unknown): Error => mark(error, "permanent");

/** Marks an error as transient: retried in the invocation, then reported for redelivery. */
export const transient = (error: unknown): Error => mark(error, "transient");

/** Returns a class for errors it recognises and `undefined` to defer to the next classifier. */
export type Classifier = (error: unknown) => ErrorClass | undefined;

const throttlingNames = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown",
  "TransactionInProgressException",
]);

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const timeoutNames = new Set([
  "TimeoutError",
  "AbortError",
  "RequestTimeout",
  "RequestTimeoutException",
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  issues?: unknown;
  $retryable?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  statusCode?: unknown;
}

/** The built-in rules: sluice's own errors, Standard Schema issues, AWS SDK and network errors. */
export const defaultClassifier: Classifier = (error) => {
  if (typeof error !== "object" || error === null) return undefined;
  const own = (error as Marked)[marked];
  if (own) return own;
  if (error instanceof SluiceDecodeError || error instanceof PoisonRecordError) return "permanent";
  const e = error as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "";
  const code = typeof e.code === "string" ? e.code : "";
  // Standard Schema validators (zod, valibot, arktype) all throw errors carrying `issues`.
  if (Array.isArray(e.issues)) return "permanent";
  if (throttlingNames.has(name) || throttlingNames.has(code)) return "transient";
  if (networkCodes.has(code) || timeoutNames.has(name)) return "transient";
  if (e.$retryable !== undefined) return "transient";
  const status = e.$metadata?.httpStatusCode ?? e.statusCode;
  if (typeof status === "number") {
    if (status >= 500 || status === 429 || status === 408) return "transient";
    // A rejected request (400 ValidationException and the like) is rejected again on retry.
    if (name === "ValidationException" || name === "SerializationException") return "permanent";
  }
  if (e.$fault === "server") return "transient";
  if ("cause" in error && error.cause !== undefined && error.cause !== error) {
    return defaultClassifier(error.cause);
  }
  return undefined;
};

/**
 * Builds the classifier the runtime uses: the user's classifiers first, then the built-in rules,
 * then `unknown` for anything nobody recognised. Transient is the safe default for unknown errors:
 * the record is retried and reported, never dropped.
 */
export function createClassifier(
  classifiers: Classifier | Classifier[] = [],
  unknown: ErrorClass = "transient",
): (error: unknown) => ErrorClass {
  const chain = [classifiers, defaultClassifier].flat();
  return (error) => {
    for (const classify of chain) {
      const result = classify(error);
      if (result) return result;
    }
    return unknown;
  };
}

/** The error fields a dead letter and a log line carry. */
export function describeError(error: unknown): {
  name: string;
  code?: string;
  message: string;
  stack?: string;
} {
  if (error instanceof Error) {
    const code = (error as ErrorLike).code;
    return {
      name: error.name,
      ...(typeof code === "string" ? { code } : {}),
      message: error.message,
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: "NonError", message: String(error) };
}
