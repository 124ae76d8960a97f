import { AsyncLocalStorage } from "node:async_hooks";

type Write = typeof process.stdout.write;

export interface OutputCapture {
  /** Runs `work` with everything it writes to stdout or stderr sent to `onLine` as `source`'s. */
  run<T>(source: string, work: () => T): T;
  /** Puts the streams back. */
  stop(): void;
}

/**
 * Catches what handlers print, as Lambda's runtime does for CloudWatch: a line written while an
 * invocation runs belongs to that invocation's subscriber, found through AsyncLocalStorage.
 * Output of anything else passes through untouched. One capture at a time per process.
 */
export function captureOutput(onLine: (source: string, line: string) => void): OutputCapture {
  const current = new AsyncLocalStorage<{ source: string; partial: string }>();
  const patch = (stream: NodeJS.WriteStream): (() => void) => {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const store = current.getStore();
      if (store === undefined) return (original as Write).apply(this, [chunk, ...rest] as never);
      const text =
        store.partial +
        (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
      const lines = text.split("\n");
      store.partial = lines.pop() ?? "";
      // Outside the context, so whatever onLine prints goes to the real stream.
      current.exit(() => {
        for (const line of lines) onLine(store.source, line);
      });
      const callback = rest.find((value) => typeof value === "function") as
        | (() => void)
        | undefined;
      callback?.();
      return true;
    } as Write;
    return () => {
      stream.write = original;
    };
  };
  const restore = [patch(process.stdout), patch(process.stderr)];
  return {
    run: (source, work) => current.run({ source, partial: "" }, work),
    stop: () => {
      for (const undo of restore) undo();
    },
  };
}
