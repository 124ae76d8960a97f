import type { Command } from "../command.js";

/**
 * Every command, loaded on demand so one command's dependencies never slow another's start.
 * Add a command by writing commands/NAME.ts (default export: Command) and a line here.
 */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  dev: {
    summary:
      "Run the pipeline locally: local stack, every subscriber, handler reload, live view, console",
    load: async () => (await import("./dev.js")).default,
  },
  decode: {
    summary: "Decode DynamoDB stream records into JSON lines of typed change events",
    load: async () => (await import("./decode.js")).default,
  },
  tail: {
    summary: "Follow a table's stream and print each change as it happens, until Ctrl-C",
    load: async () => (await import("./tail.js")).default,
  },
  replay: {
    summary:
      "Replay failed records (sluice DLQ, Lambda's failure destination) or the audit archive",
    load: async () => (await import("./replay.js")).default,
  },
};
