import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startConsole } from "../src/console/index.js";
import type {
  ChangeView,
  DeadLetterView,
  DevConsoleSource,
  DevSnapshot,
  ReplayResult,
} from "../src/types.js";
import { launchChromium } from "./support/browser.js";

const STARTED = Date.parse("2025-01-01T10:00:00.000Z");

/** The page polls once a second: give it a few polls before failing. */
const eventually = { timeout: 10_000 };

const change: ChangeView = {
  eventId: "event-1",
  kind: "insert",
  expired: false,
  key: "PK=CUSTOMER#c-1 SK=ORDER#o-1",
  keys: { PK: "CUSTOMER#c-1", SK: "ORDER#o-1" },
  entity: "CUSTOMER",
  at: "2025-01-01T10:00:01.000Z",
  newImage: { PK: "CUSTOMER#c-1", SK: "ORDER#o-1", total: 42 },
};

function deadLetter(id: string, errorCode: string): DeadLetterView {
  return {
    id,
    processor: "projections",
    errorCode,
    error: { class: "permanent", name: "ValidationError", message: "total must not be negative" },
    attempts: 3,
    firstFailureAt: "2025-01-01T10:00:02.000Z",
    lastFailureAt: "2025-01-01T10:00:04.000Z",
    change,
  };
}

/**
 * A session as the console sees it: every snapshot is one second later, with more traffic than
 * the last. Replay clears the letters it is asked for, unless they are set to fail again.
 */
function growingSession(letters: DeadLetterView[], failsAgain: (id: string) => string | undefined) {
  let seconds = 0;
  let queue = [...letters];
  const replays: { id?: string }[] = [];
  const source: DevConsoleSource = {
    async snapshot(): Promise<DevSnapshot> {
      seconds += 1;
      const samples = Array.from({ length: seconds }, (_, i) => ({
        t: STARTED + (i + 1) * 1000,
        perSecond: (i + 1) * 2,
        lagMs: 200,
      }));
      return {
        pipeline: "shop",
        table: "shop-table",
        startedAt: new Date(STARTED).toISOString(),
        subscribers: [
          {
            name: "projections",
            handler: "src/projections.handler",
            state: "running",
            reloads: 1,
            processed: seconds * seconds,
            retried: 0,
            deadLettered: queue.length,
            perSecond: seconds * 2,
            lagMs: 200,
            failedInvocations: queue.length,
          },
        ],
        series: { projections: samples },
        changes: [change],
        deadLetters: queue,
      };
    },
    async replay(request): Promise<ReplayResult> {
      replays.push(request);
      const chosen = queue.filter((letter) => request.id === undefined || letter.id === request.id);
      const failures = chosen.flatMap((letter) => {
        const reason = failsAgain(letter.id);
        return reason === undefined ? [] : [{ id: letter.id, reason }];
      });
      queue = queue.filter(
        (letter) =>
          !chosen.includes(letter) || failures.some((failure) => failure.id === letter.id),
      );
      return { replayed: chosen.length - failures.length, failedAgain: failures.length, failures };
    },
  };
  return { source, replays };
}

interface ChartData {
  data: { datasets: { subscriber: string; metric: string; data: { x: number; y: number }[] }[] };
}

/** What the page's chart plots for a subscriber's records per second; runs in the page. */
function plottedPerSecond(subscriber: string): number[] {
  const chart = (globalThis as unknown as { sluiceChart?: ChartData }).sluiceChart;
  const dataset = chart?.data.datasets.find(
    (candidate) => candidate.subscriber === subscriber && candidate.metric === "perSecond",
  );
  return dataset?.data.map((point) => point.y) ?? [];
}

let browser: Browser;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await browser?.close();
});

/** Opens the console for `source`, collecting what the page reports as broken. */
async function openConsole(source: DevConsoleSource): Promise<{ page: Page; problems: string[] }> {
  const server = await startConsole(source);
  cleanups.push(() => server.close());
  const page = await browser.newPage();
  cleanups.push(() => page.close());
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  await page.goto(`${server.url}/`);
  return { page, problems };
}

describe("the dev console in a browser", () => {
  it("shows the subscribers, their traffic, the changes and the dead letters, and replays one", async () => {
    const { source, replays } = growingSession(
      [deadLetter("dl-1", "ORDER_TOTAL_NEGATIVE")],
      () => undefined,
    );
    const { page, problems } = await openConsole(source);

    await expect.poll(() => page.getByTestId("pipeline").textContent(), eventually).toBe("shop");
    expect(await page.getByTestId("table").textContent()).toBe("shop-table");

    const subscriber = page.locator('[data-testid="subscriber"][data-name="projections"]');
    await subscriber.waitFor();
    expect(await subscriber.textContent()).toContain("running");

    // A few polls in, the chart holds the traffic of every second so far.
    await expect
      .poll(async () => (await page.evaluate(plottedPerSecond, "projections")).length, eventually)
      .toBeGreaterThanOrEqual(3);
    const plotted = await page.evaluate(plottedPerSecond, "projections");
    expect(plotted.length).toBeGreaterThanOrEqual(3);
    expect(plotted.every((perSecond) => perSecond > 0)).toBe(true);

    const changeRow = page.getByTestId("change").first();
    expect(await changeRow.textContent()).toContain("PK=CUSTOMER#c-1 SK=ORDER#o-1");
    await changeRow.locator("summary").click();
    expect(JSON.parse((await changeRow.locator("pre").textContent()) ?? "")).toEqual(
      change.newImage,
    );

    const letter = page.getByTestId("dead-letter");
    await letter.waitFor();
    expect(await letter.getByTestId("error-code").textContent()).toBe("ORDER_TOTAL_NEGATIVE");
    expect(await letter.textContent()).toContain("ValidationError: total must not be negative");

    await letter.getByTestId("replay").click();
    await page
      .getByTestId("replay-result")
      .filter({ hasText: "Replayed 1, failed again 0." })
      .waitFor();
    await letter.waitFor({ state: "detached" });
    expect(replays).toEqual([{ id: "dl-1" }]);
    expect(problems).toEqual([]);
  });

  it("replays all dead letters and lists those that failed again, which stay", async () => {
    const { source, replays } = growingSession(
      [deadLetter("dl-1", "ORDER_TOTAL_NEGATIVE"), deadLetter("dl-2", "CUSTOMER_MISSING")],
      (id) => (id === "dl-2" ? "CUSTOMER_MISSING: no customer c-1" : undefined),
    );
    const { page, problems } = await openConsole(source);

    await expect.poll(() => page.getByTestId("dead-letter").count(), eventually).toBe(2);
    await page.getByTestId("replay-all").click();

    const result = page.getByTestId("replay-result");
    await result.filter({ hasText: "Replayed 1, failed again 1." }).waitFor();
    expect(await result.getByTestId("replay-failure").allTextContents()).toEqual([
      "dl-2: CUSTOMER_MISSING: no customer c-1",
    ]);
    await expect.poll(() => page.getByTestId("dead-letter").count(), eventually).toBe(1);
    expect(await page.getByTestId("dead-letter").getAttribute("data-id")).toBe("dl-2");
    expect(replays).toEqual([{}]);
    expect(problems).toEqual([]);
  });
});
