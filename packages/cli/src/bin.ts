#!/usr/bin/env node
import { EXIT_USAGE } from "./command.js";
import { commands } from "./commands/index.js";

const HELP = `sluice: process Amazon DynamoDB Streams

Usage: sluice <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, { summary }]) => `  ${name.padEnd(12)}${summary}`)
  .join("\n")}

Run "sluice <command> --help" for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    process.stderr.write(`sluice: unknown command "${name}"\n\n${HELP}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  return command.run(args, process);
}

process.exitCode = await main(process.argv.slice(2));
