import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import type { DevConsoleSource } from "../types.js";
import { appScript } from "./app.js";
import { jsonOnly, localOnly } from "./local-only.js";
import { consolePage } from "./page.js";

export interface ConsoleOptions {
  /** 0, the default, takes a free port. */
  port?: number;
}

export interface RunningConsole {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Loopback only: the console replays dead letters, so nothing else on the network may reach it. */
const HOST = "127.0.0.1";

/**
 * What the page may load: its own script and Chart.js, nothing from elsewhere, and it may not be
 * framed (a framing page could trick a click on Replay).
 */
const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Serves the local console of `sluice dev` for `source` on 127.0.0.1. */
export async function startConsole(
  source: DevConsoleSource,
  options: ConsoleOptions = {},
): Promise<RunningConsole> {
  let port = 0;
  const app = consoleApp(source, () => port);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: HOST }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // An open page keeps its connection alive between polls; do not wait for it to go.
        server.closeAllConnections();
      }),
  };
}

function consoleApp(source: DevConsoleSource, port: () => number): Hono {
  const app = new Hono();
  app.use("*", localOnly(port));
  app.use("*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Cache-Control", "no-store");
  });

  app.get("/", (c) => {
    c.header("Content-Security-Policy", PAGE_POLICY);
    return c.html(consolePage);
  });
  app.get("/app.js", (c) => c.body(appScript, 200, { "Content-Type": JS }));
  app.get("/chart.js", async (c) => c.body(await chartJs(), 200, { "Content-Type": JS }));

  app.get("/api/snapshot", async (c) => c.json(await source.snapshot()));
  app.post("/api/replay", jsonOnly(), async (c) => {
    const request = replayRequest(await c.req.json().catch(() => undefined));
    if (request === undefined) {
      return c.json(
        { error: 'Send {} to replay every dead letter, or { "id": "..." } for one.' },
        400,
      );
    }
    return c.json(await source.replay(request));
  });

  app.onError((error, c) =>
    c.json({ error: error instanceof Error ? error.message : String(error) }, 500),
  );
  return app;
}

const JS = "text/javascript; charset=utf-8";

function replayRequest(body: unknown): { id?: string } | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { id } = body as { id?: unknown };
  if (id === undefined) return {};
  return typeof id === "string" && id !== "" ? { id } : undefined;
}

let chartJsText: Promise<string> | undefined;

/** Chart.js's browser build, from the installed package: the machine may have no internet. */
function chartJs(): Promise<string> {
  chartJsText ??= (async () => {
    // The package exports only its module builds; the UMD build sits next to the CommonJS one.
    const main = createRequire(import.meta.url).resolve("chart.js");
    const text = await readFile(join(dirname(main), "chart.umd.js"), "utf8");
    // The source map is not served; do not have the browser ask for it.
    return text.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  })();
  chartJsText.catch(() => {
    chartJsText = undefined;
  });
  return chartJsText;
}
