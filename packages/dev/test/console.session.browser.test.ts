// The console over a real dev session, in headless Chromium: traffic written to DynamoDB Local
// shows on the chart, a refused record appears in the dead-letter list with its code, and after
// the handler is fixed (an edited file, reloaded) the Replay button clears it.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { startConsole, startDevSession } from "@sluice/dev";
import { eventually, useLocalStack } from "@sluice/local/testing";
import { definePipeline } from "@sluice/pipeline";
import type { Browser } from "playwright-core";
import { afterAll, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";

const stack = useLocalStack();
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A copy of the fixture app inside the package, so its imports resolve to the workspace's. */
function appCopy(): string {
  const packageDir = fileURLToPath(new URL("..", import.meta.url));
  mkdirSync(join(packageDir, ".sluice"), { recursive: true });
  const root = mkdtempSync(join(packageDir, ".sluice", "app-"));
  cpSync(fileURLToPath(new URL("fixtures/guarded-app", import.meta.url)), join(root, "src"), {
    recursive: true,
  });
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

it("shows the traffic, a dead letter with its code, and clears it with Replay once the handler is fixed", {
  timeout: 90_000,
}, async () => {
  const root = appCopy();
  const pipeline = definePipeline({
    name: "guarded",
    table: { name: "Gifts", partitionKey: "PK", stream: "NEW_IMAGE" },
    subscribers: { guard: { handler: "src/handler.handler" } },
  });
  const reloads: string[] = [];
  const session = await startDevSession({
    pipeline,
    root,
    stack,
    namePrefix: stack.uniqueName("console-"),
    onHandler: (name, event) => reloads.push(`${name} ${event}`),
  });
  cleanups.push(() => session.stop());
  const server = await startConsole(session);
  cleanups.push(() => server.close());
  const browser: Browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(server.url);

  const table = session.resources.tableName;
  const put = (key: string, kind: string) =>
    stack.clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { PK: { S: key }, kind: { S: kind } } }),
    );
  for (let n = 1; n <= 30; n++) await put(`ITEM#${n}`, "book");
  await put("ITEM#gift-1", "gift");
  await session.waitForIdle();

  // The chart has the subscriber's traffic: records per second summing to what it finished.
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const chart = (
            globalThis as unknown as {
              sluiceChart?: {
                data: {
                  datasets: { subscriber?: string; metric?: string; data: { y: number }[] }[];
                };
              };
            }
          ).sluiceChart;
          const rate = chart?.data.datasets.find(
            (d) => d.subscriber === "guard" && d.metric === "perSecond",
          );
          return rate?.data.reduce((sum, point) => sum + point.y, 0) ?? 0;
        }),
      { timeout: 15_000 },
    )
    .toBe(31);
  await expect
    .poll(() => page.getByTestId("subscriber").first().textContent(), { timeout: 10_000 })
    .toContain("guard");

  const letter = page.getByTestId("dead-letter");
  await expect.poll(() => letter.count(), { timeout: 15_000 }).toBe(1);
  expect(await letter.getByTestId("error-code").textContent()).toBe("BLOCKED_ITEM");
  expect(await letter.textContent()).toContain("ITEM#gift-1");

  // The fix: gifts are no longer blocked. The edit reloads the handler; Replay uses it.
  writeFileSync(join(root, "src", "blocklist.ts"), "export const blocked: string[] = [];\n");
  await eventually(async () => reloads.includes("guard reloaded"), "the handler reloaded");
  await letter.getByTestId("replay").click();
  await expect
    .poll(() => page.getByTestId("replay-result").textContent(), { timeout: 15_000 })
    .toContain("Replayed 1, failed again 0");
  await expect.poll(() => page.getByTestId("dead-letter").count(), { timeout: 15_000 }).toBe(0);
  expect(await session.deadLetters()).toEqual([]);
  expect(errors).toEqual([]);
});
