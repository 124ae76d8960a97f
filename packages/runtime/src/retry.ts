export interface RetryOptions {
  /** Attempts per record in one invocation, the first included. Default 3. */
  maxAttempts?: number;
  /** First backoff ceiling. Default 100 ms. */
  baseDelayMs?: number;
  /** Largest backoff ceiling. Default 5 s. */
  maxDelayMs?: number;
  /** Source of randomness for jitter, in [0, 1). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before the attempt after `attempt` (1-based). */
  delay(attempt: number): number;
  sleep(ms: number): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base * 2^(n-1))).
 * Full jitter spreads retries of many records hitting the same throttled partition.
 */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5_000;
  const random = options.random ?? Math.random;
  return {
    maxAttempts,
    delay: (attempt) => Math.floor(random() * Math.min(max, base * 2 ** (attempt - 1))),
    sleep: options.sleep ?? defaultSleep,
  };
}

/**
 * Runs `operation`, retrying transient failures while attempts and the deadline allow. For the
 * runtime's own store calls.
 */
export async function withRetries<R>(
  operation: () => Promise<R>,
  policy: RetryPolicy,
  classify: (error: unknown) => "permanent" | "transient",
  deadline: { allows(ms: number): boolean },
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const delay = policy.delay(attempt);
      if (
        classify(error) === "permanent" ||
        attempt >= policy.maxAttempts ||
        !deadline.allows(delay)
      ) {
        throw error;
      }
      await policy.sleep(delay);
    }
  }
}
