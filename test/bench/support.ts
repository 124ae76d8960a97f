// What the benchmarks share. Not a *.bench.ts file, so run.ts does not run it as one.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * Imports modules as packages/<name> resolves them: the built dist of a workspace package it
 * depends on, or a library it depends on (the root has neither).
 */
export function loaderFrom(name: string) {
  const from = createRequire(new URL(`../../packages/${name}/package.json`, import.meta.url));
  return async <T>(specifier: string): Promise<T> =>
    (await import(pathToFileURL(from.resolve(specifier)).href)) as T;
}

/** An AWS SDK client, as far as the benchmarks use one: `send`, and middleware to count with. */
export type Client<Output = unknown> = {
  send(command: unknown): Promise<Output>;
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: string; name: string },
    ): void;
  };
};

/**
 * Counts the requests `client` sends, by operation ("GetItem", not "GetItemCommand"). The
 * middleware sits at the deserialize step, which runs once per HTTP attempt: below the SDK's
 * retries, so each attempt counts.
 */
export function countRequests(client: Client<unknown>) {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (context.commandName ?? "unknown").replace(/Command$/, "");
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: "deserialize", name: "countRequests" },
  );
  return {
    /** Counts from zero again. */
    reset: () => counts.clear(),
    /** The requests since the last reset, and by operation: "BatchGetItem 10, TransactWriteItems 10". */
    counted() {
      const entries = [...counts].sort(([a], [b]) => a.localeCompare(b));
      return {
        requests: entries.reduce((sum, [, n]) => sum + n, 0),
        operations: entries.map(([name, n]) => `${name} ${n}`).join(", "),
      };
    },
  };
}

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
