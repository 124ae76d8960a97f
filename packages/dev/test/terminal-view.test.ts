import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTerminalView, formatLag, formatRate } from "../src/terminal-view.js";
import type { DevSnapshot, SubscriberView } from "../src/types.js";

// Built, not written in a regular expression: the linter rejects control characters there.
const ESC = String.fromCharCode(27);

/** Collects what is written; `isTTY` and `columns` make it look like a terminal. */
function sink(terminal: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  Object.assign(stream, terminal ? { isTTY: true, columns: 120, rows: 40 } : {});
  return { stream, text: () => chunks.join("") };
}

function subscriber(name: string, counts: Partial<SubscriberView> = {}): SubscriberView {
  return {
    name,
    handler: `src/${name}.handler`,
    state: "running",
    reloads: 0,
    processed: 0,
    retried: 0,
    deadLettered: 0,
    perSecond: 0,
    lagMs: 0,
    failedInvocations: 0,
    ...counts,
  };
}

function snapshot(subscribers: SubscriberView[], deadLetters = 0): DevSnapshot {
  return {
    pipeline: "shop",
    table: "Orders",
    startedAt: "2026-11-21T10:00:00.000Z",
    subscribers,
    series: {},
    changes: [],
    deadLetters: Array.from({ length: deadLetters }, () => ({}) as DevSnapshot["deadLetters"][0]),
  };
}

/**
 * What a terminal shows after the output: a small emulator of the sequences log-update writes
 * (cursor up, down and to column 1, erase line, erase to end of line, private modes).
 */
function screen(text: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  let column = 0;
  const sequence = new RegExp(`^${ESC}\\[(\\??)(\\d*)([A-Za-z])`);
  for (let at = 0; at < text.length; ) {
    const match = sequence.exec(text.slice(at));
    if (match) {
      const [all, privateMode, count, command] = match;
      const n = Number(count || 1);
      if (privateMode) {
        // cursor visibility, synchronized output: nothing to draw
      } else if (command === "A") row = Math.max(0, row - n);
      else if (command === "B") row += n;
      else if (command === "G") column = 0;
      else if (command === "K" && count === "2") lines[row] = "";
      else if (command === "K") lines[row] = (lines[row] ?? "").slice(0, column);
      else throw new Error(`unexpected escape sequence ${JSON.stringify(all)}`);
      at += all.length;
      continue;
    }
    const char = text[at]!;
    at += 1;
    if (char === "\n") {
      row += 1;
      column = 0;
    } else {
      const line = (lines[row] ?? "").padEnd(column);
      lines[row] = line.slice(0, column) + char + line.slice(column + 1);
      column += 1;
    }
    while (lines.length <= row) lines.push("");
  }
  return lines.filter((line) => line.trim() !== "");
}

describe("createTerminalView, not interactive", () => {
  it("prints one plain line per subscriber whose counts changed, and nothing when none did", () => {
    const out = sink(false);
    const view = createTerminalView({ output: out.stream });
    const consoleUrl = "http://127.0.0.1:4321";
    view.render(snapshot([subscriber("daily-sales", { processed: 100 }), subscriber("search")]), {
      consoleUrl,
    });
    const first = out.text();
    // Only the lag moved: nothing worth a line.
    view.render(
      snapshot([subscriber("daily-sales", { processed: 100, lagMs: 900 }), subscriber("search")]),
      { consoleUrl },
    );
    expect(out.text()).toBe(first);

    const changed = subscriber("daily-sales", { processed: 120, deadLettered: 1, lagMs: 300 });
    view.render(snapshot([changed, subscriber("search")], 1), { consoleUrl });
    view.log("handler said hello");
    view.done();

    expect(out.text()).not.toContain(ESC);
    expect(out.text().split("\n").filter(Boolean)).toEqual([
      "console http://127.0.0.1:4321",
      "daily-sales processed=100 retried=0 dead-lettered=0 lag=0.0s",
      "search processed=0 retried=0 dead-lettered=0 lag=0.0s",
      "daily-sales processed=120 (+20) retried=0 dead-lettered=1 (+1) lag=0.3s",
      "dead letters in the queue: 1",
      "handler said hello",
    ]);
  });

  it("prints a subscriber's state and why its handler did not load", () => {
    const out = sink(false);
    const view = createTerminalView({ output: out.stream });
    view.render(snapshot([subscriber("search")]));
    view.render(
      snapshot([
        subscriber("search", {
          state: "load-failed",
          reloads: 1,
          loadError: "SyntaxError: Unexpected token\n    at file.ts:3",
        }),
      ]),
    );
    expect(out.text().split("\n").filter(Boolean)[1]).toBe(
      "search load-failed processed=0 retried=0 dead-lettered=0 lag=0.0s reloads=1: SyntaxError: Unexpected token",
    );
  });

  it("is the default when the output is not a terminal", () => {
    const out = sink(false);
    createTerminalView({ output: out.stream }).render(snapshot([subscriber("a")]));
    expect(out.text()).toBe("a processed=0 retried=0 dead-lettered=0 lag=0.0s\n");
  });
});

describe("createTerminalView, interactive", () => {
  it("draws a row per subscriber with the console URL and the dead letters", () => {
    const out = sink(true);
    const view = createTerminalView({ output: out.stream });
    view.render(
      snapshot(
        [
          subscriber("daily-sales", {
            processed: 1200,
            retried: 3,
            deadLettered: 2,
            perSecond: 12.34,
            lagMs: 1500,
            reloads: 1,
          }),
          subscriber("order-search", { state: "load-failed", loadError: "Error: no index\nstack" }),
        ],
        2,
      ),
      { consoleUrl: "http://127.0.0.1:4321" },
    );
    const shown = screen(out.text());
    expect(shown[0]).toMatch(
      /^SUBSCRIBER\s+STATE\s+REC\/S\s+LAG\s+PROCESSED\s+RETRIED\s+DEAD\s+RELOADS$/,
    );
    expect(shown[1]?.split(/\s+/)).toEqual([
      "daily-sales",
      "running",
      "12.3",
      "1.5s",
      "1200",
      "3",
      "2",
      "1",
    ]);
    expect(shown[2]?.split(/\s+/)).toEqual([
      "order-search",
      "load-failed",
      "0.0",
      "0.0s",
      "0",
      "0",
      "0",
      "0",
    ]);
    expect(shown[3]?.trim()).toBe("Error: no index");
    expect(shown[4]).toBe("shop on Orders  ·  console http://127.0.0.1:4321  ·  2 dead letters");
  });

  it("prints log lines above the table and keeps the table below them", () => {
    const out = sink(true);
    const view = createTerminalView({ output: out.stream, interactive: true });
    view.render(snapshot([subscriber("daily-sales", { processed: 1 })]));
    view.log("first line from a handler");
    view.render(snapshot([subscriber("daily-sales", { processed: 2 })]));
    view.log("second line");

    const shown = screen(out.text());
    expect(shown.slice(0, 2)).toEqual(["first line from a handler", "second line"]);
    expect(shown[2]).toMatch(/^SUBSCRIBER\s+STATE/);
    expect(shown[3]?.split(/\s+/)).toEqual([
      "daily-sales",
      "running",
      "0.0",
      "0.0s",
      "2",
      "0",
      "0",
      "0",
    ]);
    expect(shown).toHaveLength(5);
  });
});

describe("formatting", () => {
  it("writes lags and rates short", () => {
    expect([0, 300, 9_940, 42_000, 185_000, 3_720_000].map(formatLag)).toEqual([
      "0.0s",
      "0.3s",
      "9.9s",
      "42s",
      "3m05s",
      "1h02m",
    ]);
    expect([0, 12.34, 99.9, 1234.5].map(formatRate)).toEqual(["0.0", "12.3", "99.9", "1235"]);
  });
});
