/** Streams a command reads and writes, so tests and other tools can run commands in-process. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Some input was processed, some failed. */
export const EXIT_PARTIAL_FAILURE = 1;
/** The input or the arguments could not be used at all. */
export const EXIT_USAGE = 2;

/** A `sluice` subcommand. Each lives in its own module under commands/. */
export interface Command {
  name: string;
  /** The full help text for `sluice NAME --help`. */
  usage: string;
  /** Runs the command and resolves to its exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}
