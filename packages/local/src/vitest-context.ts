import type { LocalStackConfig } from "./clients.js";

/** What the global setup hands to test workers: the stack's address, or why it did not start. */
export type ProvidedLocalStack = { config: LocalStackConfig } | { error: string };

export const PROVIDE_KEY = "sluiceLocalStack";

declare module "vitest" {
  export interface ProvidedContext {
    sluiceLocalStack: ProvidedLocalStack;
  }
}
