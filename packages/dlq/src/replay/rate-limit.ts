/**
 * Paces replay to `perSecond` records, so it does not throttle the table or the downstream service
 * it writes to. A token bucket holding one second's worth.
 */
export function rateLimiter(
  perSecond: number,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): (count: number) => Promise<void> {
  if (!(perSecond > 0))
    throw new RangeError(`rate must be above 0 records per second, got ${perSecond}`);
  let tokens = perSecond;
  let last = clock.now();
  return async (count: number) => {
    for (let left = count; left > 0; ) {
      const now = clock.now();
      tokens = Math.min(perSecond, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      const take = Math.min(left, Math.floor(tokens));
      if (take > 0) {
        tokens -= take;
        left -= take;
        continue;
      }
      await clock.sleep(((1 - tokens) / perSecond) * 1000);
    }
  };
}
