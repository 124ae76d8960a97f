import { request } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startConsole } from "../src/console/index.js";
import type { DevConsoleSource, DevSnapshot, ReplayResult } from "../src/types.js";

const snapshot: DevSnapshot = {
  pipeline: "shop",
  table: "shop-table",
  startedAt: "2025-01-01T10:00:00.000Z",
  subscribers: [
    {
      name: "projections",
      handler: "src/projections.handler",
      state: "running",
      reloads: 0,
      processed: 12,
      retried: 1,
      deadLettered: 1,
      perSecond: 2.4,
      lagMs: 350,
      failedInvocations: 1,
    },
  ],
  series: {
    projections: [{ t: Date.parse("2025-01-01T10:00:01.000Z"), perSecond: 3, lagMs: 350 }],
  },
  changes: [],
  deadLetters: [],
};

/** The contract as a session fulfils it, recording the replays asked for. */
function recordingSource(result: ReplayResult = { replayed: 1, failedAgain: 0, failures: [] }) {
  const replays: { id?: string }[] = [];
  const source: DevConsoleSource = {
    snapshot: async () => snapshot,
    replay: async (asked) => {
      replays.push(asked);
      return result;
    },
  };
  return { source, replays };
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

/** Raw HTTP, so a test can send the Host and Origin headers a browser would. */
function send(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: options.method ?? "GET", headers: options.headers },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"] ?? "",
            body,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

function postReplay(url: string, body: unknown, headers: Record<string, string> = {}) {
  return send(url, "/api/replay", {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const running: { close(): Promise<void> }[] = [];
async function start(source: DevConsoleSource, options?: { port?: number }) {
  const server = await startConsole(source, options);
  running.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

describe("the dev console server", () => {
  it("serves the session's snapshot as JSON", async () => {
    const { url } = await start(recordingSource().source);
    const response = await fetch(`${url}/api/snapshot`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(snapshot);
  });

  it("serves the page, its script and Chart.js from the installed package", async () => {
    const { url } = await start(recordingSource().source);
    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('data-testid="subscribers"');
    expect(html).toContain('<script src="/chart.js">');
    expect(html).not.toMatch(/https?:\/\//);

    const app = await fetch(`${url}/app.js`);
    expect(app.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await app.text()).toContain("/api/snapshot");

    const chart = await fetch(`${url}/chart.js`);
    expect(chart.status).toBe(200);
    expect(await chart.text()).toContain("window.Chart=");
  });

  it("passes a replay of one dead letter, or of all, to the source and returns its result", async () => {
    const result: ReplayResult = {
      replayed: 2,
      failedAgain: 1,
      failures: [{ id: "dl-3", reason: "ConditionalCheckFailed" }],
    };
    const { source, replays } = recordingSource(result);
    const { url } = await start(source);

    const one = await postReplay(url, { id: "dl-1" });
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toEqual(result);

    const all = await postReplay(url, {});
    expect(all.status).toBe(200);
    expect(replays).toEqual([{ id: "dl-1" }, {}]);
  });

  it("refuses a replay body that is not {} or { id }", async () => {
    const { source, replays } = recordingSource();
    const { url } = await start(source);
    const reply = await postReplay(url, { id: 5 });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toMatch(/"id"/);
    expect(replays).toEqual([]);
  });

  it("turns an error of the source into a 500 with the message as JSON", async () => {
    const source: DevConsoleSource = {
      snapshot: async () => {
        throw new Error("the local stack is gone");
      },
      replay: async () => {
        throw new Error("the queue is unreachable");
      },
    };
    const { url } = await start(source);

    const read = await send(url, "/api/snapshot");
    expect(read.status).toBe(500);
    expect(JSON.parse(read.body)).toEqual({ error: "the local stack is gone" });

    const replay = await postReplay(url, {});
    expect(replay.status).toBe(500);
    expect(JSON.parse(replay.body)).toEqual({ error: "the queue is unreachable" });
  });

  it("refuses a request for another host name, so DNS rebinding cannot reach it", async () => {
    const { source, replays } = recordingSource();
    const { url } = await start(source);

    const read = await send(url, "/api/snapshot", { headers: { Host: "attacker.example:80" } });
    expect(read.status).toBe(403);
    expect(read.contentType).toMatch(/^text\/plain/);
    expect(read.body).toContain(`Open ${url}/`);

    const port = new URL(url).port;
    const rebound = await postReplay(url, {}, { Host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(replays).toEqual([]);
  });

  it("answers to both 127.0.0.1 and localhost", async () => {
    const { url } = await start(recordingSource().source);
    const port = new URL(url).port;
    expect(
      (await send(url, "/api/snapshot", { headers: { Host: `localhost:${port}` } })).status,
    ).toBe(200);
    expect(
      (await send(url, "/api/snapshot", { headers: { Host: `127.0.0.1:${port}` } })).status,
    ).toBe(200);
  });

  it("refuses a request from another site's page and does not replay", async () => {
    const { source, replays } = recordingSource();
    const { url } = await start(source);
    const port = new URL(url).port;

    for (const origin of [
      "https://attacker.example",
      `http://127.0.0.1:${Number(port) + 1}`,
      "null",
    ]) {
      const reply = await postReplay(url, {}, { Origin: origin });
      expect(reply.status, origin).toBe(403);
      expect(reply.body).toContain(origin);
    }
    const read = await send(url, "/api/snapshot", {
      headers: { Origin: "https://attacker.example" },
    });
    expect(read.status).toBe(403);
    expect(replays).toEqual([]);
  });

  it("accepts a replay from its own page, whichever local name it was opened with", async () => {
    const { source, replays } = recordingSource();
    const { url } = await start(source);
    const port = new URL(url).port;

    expect(
      (await postReplay(url, { id: "a" }, { Origin: `http://127.0.0.1:${port}` })).status,
    ).toBe(200);
    expect(
      (
        await postReplay(
          url,
          { id: "b" },
          { Origin: `http://localhost:${port}`, Host: `localhost:${port}` },
        )
      ).status,
    ).toBe(200);
    expect(replays).toEqual([{ id: "a" }, { id: "b" }]);
  });

  it("refuses a replay whose body is not declared as JSON, as a cross-site form would send it", async () => {
    const { source, replays } = recordingSource();
    const { url } = await start(source);

    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", undefined]) {
      const reply = await send(url, "/api/replay", {
        method: "POST",
        headers: contentType === undefined ? {} : { "Content-Type": contentType },
        body: "{}",
      });
      expect(reply.status, String(contentType)).toBe(415);
      expect(reply.body).toContain("application/json");
    }
    const withCharset = await postReplay(
      url,
      {},
      { "Content-Type": "application/json; charset=utf-8" },
    );
    expect(withCharset.status).toBe(200);
    expect(replays).toEqual([{}]);
  });

  it("listens on 127.0.0.1 only", async () => {
    const { url } = await start(recordingSource().source);
    const { hostname, port } = new URL(url);
    expect(hostname).toBe("127.0.0.1");
    expect(await canConnect("127.0.0.1", Number(port))).toBe(true);
    // Linux routes all of 127.0.0.0/8 to loopback: a server bound to every address would answer here.
    expect(await canConnect("127.0.0.2", Number(port))).toBe(false);
  });

  it("frees its port on close, even with a connection kept alive", async () => {
    const first = await startConsole(recordingSource().source);
    const port = Number(new URL(first.url).port);
    await fetch(`${first.url}/api/snapshot`).then((r) => r.text());
    await first.close();
    expect(await canConnect("127.0.0.1", port)).toBe(false);

    const second = await start(recordingSource().source, { port });
    expect(second.url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${second.url}/api/snapshot`)).status).toBe(200);
  });
});
