/** One run of the soak: the event source mapping's settings and the faults injected. */
export interface Setting {
  name: string;
  /** BisectBatchOnFunctionError. */
  bisect: boolean;
  /** ParallelizationFactor: concurrent batches per shard. */
  parallelization: number;
  /** Share of handler calls that throw a ThrottlingException (transient). */
  throttles: number;
  /** Share of handler calls that outlast the deadline but give up when ctx.signal aborts. */
  slow: number;
  /** Share of handler calls that ignore the signal, outlive the function timeout, then apply. */
  hung: number;
  /**
   * Share of the AWS calls of the checkpoint store and the dead-letter router that fail, half
   * before the request is sent and half after it succeeded (a lost response). Settings with
   * these faults dead-letter to a FIFO queue, whose deduplication absorbs the router's resends.
   */
  storeFaults: number;
}

const none = { bisect: false, parallelization: 1, throttles: 0, slow: 0, hung: 0, storeFaults: 0 };
const throttled = { ...none, throttles: 0.1 };

export const settings: Setting[] = [
  { name: "baseline", ...none },
  { name: "throttle", ...throttled },
  { name: "bisect", ...throttled, bisect: true },
  { name: "pf2", ...throttled, parallelization: 2 },
  { name: "pf4-bisect", ...throttled, parallelization: 4, bisect: true },
  { name: "store", ...throttled, storeFaults: 0.05 },
  { name: "store-pf4-bisect", ...throttled, storeFaults: 0.05, parallelization: 4, bisect: true },
  { name: "slow", ...throttled, slow: 0.02 },
  { name: "hung", ...throttled, hung: 0.02 },
  { name: "hung-pf2-bisect", ...throttled, hung: 0.02, parallelization: 2, bisect: true },
  {
    name: "everything",
    ...throttled,
    bisect: true,
    parallelization: 4,
    slow: 0.02,
    hung: 0.02,
    storeFaults: 0.05,
  },
];

export function settingNamed(name: string): Setting {
  const setting = settings.find((s) => s.name === name);
  if (!setting) {
    throw new Error(
      `No setting "${name}"; the settings are ${settings.map((s) => s.name).join(", ")}.`,
    );
  }
  return setting;
}
