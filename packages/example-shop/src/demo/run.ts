// `pnpm demo`: the shop end to end on the local stack, in about a minute. Traffic flows through
// every subscriber of the pipeline as `sluice dev` runs them, then a closing report checks each
// projection against the table and what the traffic did. Exits 1 when a check fails.
//   --keep        leave the stack and the console running afterwards (Ctrl-C stops them)
//   --orders N    orders in the week (default 240)
//   --seed N      the traffic's seed (default 1)
//   --screenshot FILE   save a PNG of the console, taken before the replay, with Chromium
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { createTerminalView, type DevSession, startConsole, startDevSession } from "@sluice/dev";
import { sqsDeadLetterRouter } from "@sluice/dlq";
import { embeddedSearchIndex } from "@sluice/pipeline";
import { type EmbeddedSink, sharedEmbeddedSink } from "@sluice/processors";
import { DynamoDBCheckpointStore, streamHandler } from "@sluice/runtime";
import { orderStatuses } from "../model.js";
import { shop } from "../pipeline.js";
import { orderEventsProcessor } from "../processors/order-events.js";
import { orderSearchSchema } from "../processors/order-search.js";
import { subscriberConfig } from "../subscriber.js";
import {
  type Check,
  checkArchives,
  checkDailySales,
  checkEvents,
  checkSearch,
  describeEvent,
  receiveEvents,
  scan,
} from "./checks.js";
import { POISON_STATUS, shopTraffic } from "./traffic.js";

const root = resolve(fileURLToPath(new URL("../../../..", import.meta.url)));

function options() {
  const { values } = parseArgs({
    options: {
      keep: { type: "boolean", default: false },
      orders: { type: "string", default: "240" },
      seed: { type: "string", default: "1" },
      screenshot: { type: "string" },
    },
  });
  const orders = Number(values.orders);
  const seed = Number(values.seed);
  if (!Number.isInteger(orders) || orders < 10 || !Number.isInteger(seed)) {
    throw new Error("--orders takes a whole number of at least 10, --seed a whole number");
  }
  return { keep: values.keep, orders, seed, screenshot: values.screenshot };
}

/** Chromium's own headless screenshot; the page gets a few seconds to poll and draw. */
async function screenshotPage(url: string, file: string): Promise<void> {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  await promisify(execFile)(chromium, [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--window-size=1280,1500",
    "--virtual-time-budget=4000",
    `--screenshot=${resolve(file)}`,
    url,
  ]);
}

const untilInterrupted = () =>
  new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });

async function main(): Promise<number> {
  const { keep, orders, seed, screenshot } = options();
  const started = Date.now();
  const out = process.stdout;
  out.write(`sluice demo: the example shop on a local stack (seed ${seed}, ${orders} orders)\n`);
  out.write("Starting DynamoDB Local, fauxqs and EventBridge, and loading the five handlers...\n");
  const session = await startDevSession({
    pipeline: shop,
    root,
    watch: keep,
    // Audit batches for up to a minute in production; the demo does not wait that long.
    settings: (subscriber) => ({
      MaximumBatchingWindowInSeconds: Math.min(subscriber.batchingWindowSeconds, 1),
    }),
  });
  const consoleServer = await startConsole(session);
  const view = createTerminalView({ output: out });
  const refresh = async () =>
    view.render(await session.snapshot(), { consoleUrl: consoleServer.url });
  const ticker = setInterval(() => void refresh().catch(() => {}), 1_000);
  let exitCode = 1;
  try {
    view.log(`Console: ${consoleServer.url}`);
    exitCode = await run(session, {
      orders,
      seed,
      log: (line) => view.log(line),
      beforeReplay: async () => {
        if (screenshot === undefined) return;
        await screenshotPage(consoleServer.url, screenshot);
        view.log(`Screenshot of the console: ${screenshot}`);
      },
    });
  } finally {
    clearInterval(ticker);
    await refresh().catch(() => {});
    view.done();
  }
  out.write(`Finished in ${((Date.now() - started) / 1000).toFixed(0)} s.\n`);
  if (keep) {
    out.write(`The stack and the console keep running: ${consoleServer.url} (Ctrl-C stops them)\n`);
    await untilInterrupted();
  }
  await consoleServer.close();
  await session.stop();
  return exitCode;
}

async function run(
  session: DevSession,
  {
    orders,
    seed,
    log,
    beforeReplay,
  }: {
    orders: number;
    seed: number;
    log: (line: string) => void;
    beforeReplay: () => Promise<void>;
  },
): Promise<number> {
  const { stack, resources } = session;
  const { dynamodb, s3, sqs } = stack.clients;
  const since = new Date(Date.now() - 3_600_000);
  const poison = 3;
  const traffic = shopTraffic({
    dynamodb,
    table: resources.tableName,
    seed,
    orders,
    poison,
    rate: 120,
  });

  log("Writing carts and sessions that already expired; waiting for TTL to delete them...");
  await traffic.expired();
  const expiredKeys = new Set(traffic.history.expired);
  const ttlStarted = Date.now();
  while (Date.now() - ttlStarted < 90_000) {
    const left = (await scan(dynamodb, resources.tableName)).filter((item) =>
      expiredKeys.has(`${item.PK?.S}|${item.SK?.S}`),
    );
    if (left.length === 0) break;
    await new Promise((done) => setTimeout(done, 500));
  }
  log(
    `TTL deleted ${expiredKeys.size} expired items in ${((Date.now() - ttlStarted) / 1000).toFixed(0)} s.`,
  );

  log(`Writing the week: ${orders} orders through their lifecycle, customers, carts, sessions...`);
  const history = await traffic.week();
  log(`${history.writes} writes done; waiting for every subscriber to catch up...`);
  await session.waitForIdle();

  const checks: Check[] = [];
  const names = resources.names;
  checks.push(
    await checkDailySales(dynamodb, {
      orders: resources.tableName,
      aggregates: names.aggregatesTable!,
    }),
  );
  checks.push(
    ...(await checkArchives(
      s3,
      names.archiveBucket!,
      { changes: history.writes + history.expired.length, expired: history.expired },
      { since, until: new Date(Date.now() + 3_600_000) },
    )),
  );
  const sink = sharedEmbeddedSink(embeddedSearchIndex(names.searchDomain!)!, {
    schema: orderSearchSchema,
  }) as EmbeddedSink<typeof orderSearchSchema>;
  const search = await checkSearch(dynamodb, resources.tableName, sink);
  checks.push(search.check);

  const expiredEvents = history.expired.map((key) => `ItemExpired ${key}`);
  const wanted = history.events.length + expiredEvents.length;
  const delivered = (await receiveEvents(sqs, resources.eventsQueue!.queueUrl, wanted, 20_000)).map(
    describeEvent,
  );
  checks.push(
    checkEvents(
      "order events delivered once each",
      delivered.filter((e) => !e.startsWith("ItemExpired")),
      history.events,
    ),
  );
  checks.push(
    checkEvents(
      "ItemExpired events delivered",
      delivered.filter((e) => e.startsWith("ItemExpired")),
      expiredEvents,
    ),
  );

  const letters = await session.deadLetters();
  const poisonIds = history.poisonEvents.map((event) => event.split(" ")[1]);
  checks.push({
    name: "poison records dead-lettered, with their code",
    ok:
      letters.length === poison &&
      letters.every(
        (letter) =>
          letter.errorCode === "UNKNOWN_ORDER_STATUS" &&
          poisonIds.includes(String(letter.change.newImage?.orderId)),
      ),
    detail: letters
      .map((letter) => `${letter.change.key} ${letter.errorCode ?? letter.error.name}`)
      .join("; "),
  });

  await beforeReplay();
  // The fix: order-events learns the new status, as a reload after an edit would give it; then
  // every dead letter goes through the current handler again.
  session.useHandler(
    "order-events",
    streamHandler(
      subscriberConfig(
        "order-events",
        [
          orderEventsProcessor({
            client: stack.clients.eventbridge,
            eventBusName: names.eventBus!,
            statuses: [...orderStatuses, POISON_STATUS],
          }),
        ],
        {
          checkpoints: () =>
            new DynamoDBCheckpointStore({ client: dynamodb, tableName: names.checkpoints! }),
          deadLetters: () =>
            sqsDeadLetterRouter({ sqs, queueUrl: resources.deadLetterQueue!.queueUrl }),
        },
      ),
    ),
  );
  const replayed = await session.replay({});
  const left = await session.deadLetters();
  const afterReplay = (
    await receiveEvents(sqs, resources.eventsQueue!.queueUrl, poison, 10_000)
  ).map(describeEvent);
  checks.push({
    name: "replay with the fix clears the dead letters",
    ok: replayed.replayed === poison && replayed.failedAgain === 0 && left.length === 0,
    detail: `${replayed.replayed} replayed, ${replayed.failedAgain} failed again, ${left.length} left in the queue`,
  });
  checks.push(checkEvents("replayed status changes delivered", afterReplay, history.poisonEvents));

  log("");
  log("Closing report");
  for (const check of checks) log(`  ${check.ok ? "✔" : "✘"} ${check.name}: ${check.detail}`);
  const failed = checks.filter((check) => !check.ok).length;
  log(failed === 0 ? "All checks passed." : `${failed} of ${checks.length} checks failed.`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(
    `sluice demo failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return 1;
});
