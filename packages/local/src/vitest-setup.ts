import type { TestProject } from "vitest/node";
import { type LocalStack, startLocalStack } from "./stack.js";
import { PROVIDE_KEY } from "./vitest-context.js";

/**
 * Vitest global setup: one local stack per test run, shared by every worker through
 * provide/inject. When it cannot start, only the tests that use it fail, with the reason.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let stack: LocalStack | undefined;
  const started = performance.now();
  try {
    stack = await startLocalStack();
    const ms = Math.round(performance.now() - started);
    console.log(`[@sluice/local] local stack (${stack.services.join(", ")}) started in ${ms} ms`);
    project.provide(PROVIDE_KEY, { config: stack.config });
  } catch (error) {
    project.provide(PROVIDE_KEY, { error: error instanceof Error ? error.message : String(error) });
  }
  return async () => {
    await stack?.stop();
  };
}
