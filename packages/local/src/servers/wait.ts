import { setTimeout as sleep } from "node:timers/promises";

/** Polls `probe` until it resolves true, or throws `describe()` after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  options: {
    timeoutMs: number;
    intervalMs?: number;
    describe: () => string;
    abort?: () => Error | undefined;
  },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const aborted = options.abort?.();
    if (aborted) throw aborted;
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(options.describe());
    await sleep(options.intervalMs ?? 50);
  }
}
