export type LogLevel = "debug" | "info" | "warn" | "error";

/** Receives one JSON line per log entry or metrics document. */
export type LogSink = (line: string) => void;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** Writes a line as is (used for metrics documents). */
  raw(document: Record<string, unknown>): void;
}

export interface LoggerOptions {
  sink?: LogSink;
  level?: LogLevel;
  fields?: Record<string, unknown>;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const stdout: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

function serialize(value: Record<string, unknown>): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    return v;
  });
}

/** A structured JSON logger; the level comes from `level`, else `LOG_LEVEL`, else info. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? stdout;
  const envLevel = process.env.LOG_LEVEL?.toLowerCase();
  const level: LogLevel =
    options.level ?? (envLevel && envLevel in order ? (envLevel as LogLevel) : "info");
  const base = options.fields ?? {};
  const write =
    (at: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      if (order[at] < order[level]) return;
      sink(serialize({ level: at, time: new Date().toISOString(), message, ...base, ...fields }));
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (fields) => createLogger({ sink, level, fields: { ...base, ...fields } }),
    raw: (document) => sink(serialize(document)),
  };
}

/** A handler's `logger` setting: a ready logger is used as it is, options make one. */
export function resolveLogger(setting: Logger | LoggerOptions | undefined): Logger {
  return typeof (setting as Logger | undefined)?.info === "function"
    ? (setting as Logger)
    : createLogger(setting as LoggerOptions | undefined);
}
