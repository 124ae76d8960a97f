// A dev session over a throwaway app: handlers are plain files in a temporary folder, bundled,
// fed by local mappings from DynamoDB Local, reloaded when edited; dead letters land in the
// pipeline's queue and a replay runs them through the handler loaded at that moment.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { startDevSession } from "@sluice/dev";
import { eventually, useLocalStack } from "@sluice/local/testing";
import { definePipeline } from "@sluice/pipeline";
import { afterEach, expect, it } from "vitest";

const stack = useLocalStack();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** What the test handlers saw, as `version key`; they live in the test's process. */
const seen: string[] = [];
(globalThis as { devSessionSeen?: string[] }).devSessionSeen = seen;

function handlerFile(version: string): string {
  return `import { label } from "./label.mjs";
export const handler = async (event) => {
  for (const record of event.Records) {
    globalThis.devSessionSeen.push(label("${version}", record.dynamodb.Keys.PK.S));
  }
  return { batchItemFailures: [] };
};
`;
}

function app() {
  const root = mkdtempSync(join(tmpdir(), "sluice-dev-app-"));
  mkdirSync(join(root, "src"));
  writeFileSync(
    join(root, "src", "label.mjs"),
    "export const label = (v, key) => v + ' ' + key;\n",
  );
  writeFileSync(join(root, "src", "echo.mjs"), handlerFile("v1"));
  return root;
}

const put = (tableName: string, key: string) =>
  stack.clients.dynamodb.send(
    new PutItemCommand({ TableName: tableName, Item: { PK: { S: key } } }),
  );

it("feeds each subscriber through a local mapping and reloads its handler when a file of it changes", async () => {
  const root = app();
  const pipeline = definePipeline({
    name: "reload",
    table: { name: "Things", partitionKey: "PK", stream: "KEYS_ONLY" },
    subscribers: {
      echo: { handler: "src/echo.handler", deadLetter: false },
      // A filter from the definition reaches the local mapping.
      "only-a": {
        handler: "src/echo.handler",
        deadLetter: false,
        filters: [{ dynamodb: { Keys: { PK: { S: [{ prefix: "A" }] } } } }],
      },
    },
  });
  const handlerEvents: string[] = [];
  const session = await startDevSession({
    pipeline,
    root,
    stack,
    namePrefix: stack.uniqueName("dev-"),
    onHandler: (name, event) => handlerEvents.push(`${name} ${event}`),
  });
  stops.push(() => session.stop());
  const table = session.resources.tableName;
  seen.length = 0;

  await put(table, "A-1");
  await put(table, "B-1");
  await eventually(async () => seen.length === 3, "three deliveries of the first version");
  expect(seen.sort()).toEqual(["v1 A-1", "v1 A-1", "v1 B-1"]);

  // An edit of a file the handler imports reloads it; later records run the new code.
  writeFileSync(
    join(root, "src", "label.mjs"),
    "export const label = (v, key) => v + '+ ' + key;\n",
  );
  await eventually(
    async () =>
      handlerEvents.includes("echo reloaded") && handlerEvents.includes("only-a reloaded"),
    "both subscribers reloaded",
  );
  seen.length = 0;
  await put(table, "A-2");
  await eventually(async () => seen.length === 2, "two deliveries of the reloaded version");
  expect(seen).toEqual(["v1+ A-2", "v1+ A-2"]);

  const snapshot = await session.snapshot();
  expect(snapshot.subscribers.map((s) => [s.name, s.state, s.reloads])).toEqual([
    ["echo", "running", 1],
    ["only-a", "running", 1],
  ]);
  // Changes are decoded with the table's keys, newest first.
  expect(snapshot.changes.map((change) => change.key)).toEqual(["PK=A-2", "PK=B-1", "PK=A-1"]);
});

it("keeps the last good handler when an edit does not build, and says why", async () => {
  const root = app();
  const pipeline = definePipeline({
    name: "broken",
    table: { name: "Things", partitionKey: "PK", stream: "KEYS_ONLY" },
    subscribers: { echo: { handler: "src/echo.handler", deadLetter: false } },
  });
  const failures: string[] = [];
  const session = await startDevSession({
    pipeline,
    root,
    stack,
    namePrefix: stack.uniqueName("dev-"),
    onHandler: (_name, event, error) => {
      if (event === "failed") failures.push(error!.message);
    },
  });
  stops.push(() => session.stop());
  writeFileSync(join(root, "src", "echo.mjs"), "export const handler = async (event) => {\n");
  await eventually(async () => failures.length > 0, "the failed build reported");
  expect(failures[0]).toContain("src/echo.handler");
  const [view] = (await session.snapshot()).subscribers;
  expect(view?.state).toBe("running");
  expect(view?.loadError).toContain("Unexpected end of file");

  seen.length = 0;
  await put(session.resources.tableName, "C-1");
  await eventually(async () => seen.length === 1, "the old handler still runs");
  expect(seen).toEqual(["v1 C-1"]);
});
