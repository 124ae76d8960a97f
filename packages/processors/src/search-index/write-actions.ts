import type { RetryOptions } from "@sluice/runtime";
import type { SearchAction, SearchActionResult, SearchSink } from "./sink.js";

export interface WrittenAction {
  result: SearchActionResult;
  /** Calls that carried this action. */
  attempts: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

async function bulk(
  sink: SearchSink,
  actions: SearchAction[],
  signal: AbortSignal | undefined,
): Promise<SearchActionResult[]> {
  try {
    const results = await sink.bulk(actions, signal ? { signal } : {});
    if (results.length === actions.length) return results;
    const reason = `the sink answered ${results.length} results for ${actions.length} actions`;
    return actions.map(() => ({ status: "retry", reason }));
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return actions.map(() => ({ status: "retry", reason }));
  }
}

/**
 * Sends the actions in one bulk; the ones the sink answers `retry` (throttled, unavailable, a
 * failed call) go again, only they, after an exponential backoff with full jitter, until they
 * settle, the attempts run out or the signal aborts (the invocation nears its deadline).
 */
export async function writeActions(
  sink: SearchSink,
  actions: SearchAction[],
  retry: RetryOptions = {},
  signal?: AbortSignal,
): Promise<WrittenAction[]> {
  const maxAttempts = Math.max(1, retry.maxAttempts ?? 3);
  const base = retry.baseDelayMs ?? 100;
  const max = retry.maxDelayMs ?? 2_000;
  const random = retry.random ?? Math.random;
  const written: WrittenAction[] = actions.map(() => ({
    result: { status: "retry", reason: "not sent" },
    attempts: 0,
  }));
  let pending = actions.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const results = await bulk(
      sink,
      pending.map((index) => actions[index]!),
      signal,
    );
    const again: number[] = [];
    results.forEach((result, k) => {
      const index = pending[k]!;
      written[index] = { result, attempts: attempt };
      if (result.status === "retry") again.push(index);
    });
    if (again.length === 0 || attempt >= maxAttempts || signal?.aborted) break;
    const delay = Math.floor(random() * Math.min(max, base * 2 ** (attempt - 1)));
    await (retry.sleep ? retry.sleep(delay) : sleep(delay, signal));
    if (signal?.aborted) break;
    pending = again;
  }
  return written;
}
