import { createLogUpdate } from "log-update";
import type { DevSnapshot, SubscriberView } from "./types.js";

export interface TerminalViewOptions {
  output: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Redraw a live table in place; default: when the output is a terminal. */
  interactive?: boolean;
}

export interface RenderExtra {
  consoleUrl?: string;
}

export interface TerminalView {
  /** Shows the snapshot: redraws the table, or prints a line for each subscriber that changed. */
  render(snapshot: DevSnapshot, extra?: RenderExtra): void;
  /** Prints a line above the live table (handler output, reload notices). */
  log(line: string): void;
  /** Leaves the last table on screen and gives the terminal back. */
  done(): void;
}

/** `0.3s`, `42s`, `3m05s`, `1h02m`: short enough for a table column. */
export function formatLag(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Records a second: one decimal while it is small, whole numbers above. */
export function formatRate(perSecond: number): string {
  return perSecond < 100 ? perSecond.toFixed(1) : String(Math.round(perSecond));
}

const COLUMNS = ["SUBSCRIBER", "STATE", "REC/S", "LAG", "PROCESSED", "RETRIED", "DEAD", "RELOADS"];

function row(subscriber: SubscriberView): string[] {
  return [
    subscriber.name,
    subscriber.state,
    formatRate(subscriber.perSecond),
    formatLag(subscriber.lagMs),
    String(subscriber.processed),
    String(subscriber.retried),
    String(subscriber.deadLettered),
    String(subscriber.reloads),
  ];
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? "";
}

/** The live area: a header, then a row per subscriber (names left, counts right). */
function table(snapshot: DevSnapshot, extra: RenderExtra): string {
  const rows = [COLUMNS, ...snapshot.subscribers.map(row)];
  const widths = COLUMNS.map((_, column) =>
    Math.max(...rows.map((cells) => cells[column]!.length)),
  );
  const lines = rows.map((cells) =>
    cells
      .map((cell, column) =>
        column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join("  ")
      .trimEnd(),
  );
  // Why a handler is not running belongs next to it, not only in the scrollback.
  for (const [index, subscriber] of snapshot.subscribers.entries()) {
    const why = subscriber.state === "load-failed" ? subscriber.loadError : undefined;
    if (why) lines[index + 1] += `\n  ${firstLine(why)}`;
  }
  const deadLetters = snapshot.deadLetters.length;
  const footer = [
    `${snapshot.pipeline} on ${snapshot.table}`,
    ...(extra.consoleUrl ? [`console ${extra.consoleUrl}`] : []),
    `${deadLetters} dead letter${deadLetters === 1 ? "" : "s"}`,
  ].join("  ·  ");
  return `${lines.join("\n")}\n\n${footer}\n`;
}

interface Counts {
  state: SubscriberView["state"];
  processed: number;
  retried: number;
  deadLettered: number;
  reloads: number;
}

function plus(now: number, before: number | undefined): string {
  return before !== undefined && now > before ? ` (+${now - before})` : "";
}

/** One line for a subscriber whose counts or state changed, e.g. for a log file or CI. */
function changeLine(subscriber: SubscriberView, before: Counts | undefined): string {
  const state = subscriber.state === "running" ? "" : ` ${subscriber.state}`;
  const why =
    subscriber.state === "load-failed" && subscriber.loadError
      ? `: ${firstLine(subscriber.loadError)}`
      : "";
  const reloaded =
    before !== undefined && subscriber.reloads > before.reloads
      ? ` reloads=${subscriber.reloads}`
      : "";
  const count = (name: string, key: "processed" | "retried" | "deadLettered") =>
    `${name}=${subscriber[key]}${plus(subscriber[key], before?.[key])}`;
  return (
    `${subscriber.name}${state} ${count("processed", "processed")} ${count("retried", "retried")}` +
    ` ${count("dead-lettered", "deadLettered")} lag=${formatLag(subscriber.lagMs)}${reloaded}${why}`
  );
}

function sameCounts(a: Counts, b: Counts): boolean {
  return (
    a.state === b.state &&
    a.processed === b.processed &&
    a.retried === b.retried &&
    a.deadLettered === b.deadLettered &&
    a.reloads === b.reloads
  );
}

/** Plain lines, only for what changed since the last render: no escape codes, nothing repeated. */
function plainView(output: TerminalViewOptions["output"]): TerminalView {
  const seen = new Map<string, Counts>();
  let consoleUrl: string | undefined;
  let deadLetters: number | undefined;
  const print = (line: string) => output.write(`${line}\n`);
  return {
    render(snapshot, extra = {}) {
      if (extra.consoleUrl && extra.consoleUrl !== consoleUrl) {
        consoleUrl = extra.consoleUrl;
        print(`console ${consoleUrl}`);
      }
      for (const subscriber of snapshot.subscribers) {
        const before = seen.get(subscriber.name);
        const now: Counts = {
          state: subscriber.state,
          processed: subscriber.processed,
          retried: subscriber.retried,
          deadLettered: subscriber.deadLettered,
          reloads: subscriber.reloads,
        };
        if (before && sameCounts(before, now)) continue;
        seen.set(subscriber.name, now);
        print(changeLine(subscriber, before));
      }
      if (snapshot.deadLetters.length !== (deadLetters ?? 0)) {
        print(`dead letters in the queue: ${snapshot.deadLetters.length}`);
      }
      deadLetters = snapshot.deadLetters.length;
    },
    log: print,
    done() {},
  };
}

/** A table redrawn in place; log lines go above it and stay in the scrollback. */
function liveView(output: TerminalViewOptions["output"]): TerminalView {
  const update = createLogUpdate(output);
  let frame: string | undefined;
  return {
    render(snapshot, extra = {}) {
      frame = table(snapshot, extra);
      update(frame);
    },
    log(line) {
      // persist clears the table and writes the line; drawing again puts the table below it.
      update.persist(line);
      if (frame !== undefined) update(frame);
    },
    done() {
      update.done();
    },
  };
}

export function createTerminalView(options: TerminalViewOptions): TerminalView {
  const stream = options.output as NodeJS.WriteStream;
  // A terminal that reports no width (a bare pseudo-terminal) would wrap the table at every
  // character: plain lines serve it better.
  const interactive = options.interactive ?? (stream.isTTY === true && (stream.columns ?? 0) > 0);
  return interactive ? liveView(options.output) : plainView(options.output);
}
