import {
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue as SdkAttributeValue,
} from "@aws-sdk/client-dynamodb";
import { createEventSourceMapping, type EventSourceMapping } from "@sluice/local";
import { useLocalStack } from "@sluice/local/testing";
import { type AttributeMap, compareSequenceNumbers, decodeImage } from "@sluice/records";
import { afterEach, describe, expect, it } from "vitest";
import { auditArchive, readAuditArchive } from "../src/audit-archive/index.js";
import { checkpointedHandler, collect, faultyS3 } from "./audit-archive.helpers.js";

const stack = useLocalStack();
const mappings: EventSourceMapping[] = [];
afterEach(async () => {
  await Promise.all(mappings.splice(0).map((m) => m.stop()));
});

const BIG = "98765432109876543210987654321098765432";

/** Lambda's JSON form (binary as base64) to the SDK's (binary as bytes). */
function toSdk(image: AttributeMap): Record<string, SdkAttributeValue> {
  const value = (av: unknown): unknown => {
    const [[type, inner]] = Object.entries(av as object) as [[string, unknown]];
    if (type === "B") return { B: Buffer.from(inner as string, "base64") };
    if (type === "L") return { L: (inner as unknown[]).map(value) };
    if (type === "M") return { M: toSdk(inner as AttributeMap) };
    return av;
  };
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, value(v)])) as never;
}

interface Expected {
  kind: "insert" | "modify" | "remove";
  oldImage?: AttributeMap;
  newImage?: AttributeMap;
}

describe("auditArchive end to end", () => {
  it("archives the table's whole write history through the mapping, despite lost S3 answers and a lost response: each change once, in order per item", async () => {
    const table = await stack.createTable({ stream: "NEW_AND_OLD_IMAGES" });
    const { bucketName } = await stack.createBucket();
    // PutObject 2 and 6 never reach S3; PutObject 4 is stored but its answer is lost.
    const faults: Record<number, "before" | "after"> = { 2: "before", 4: "after", 6: "before" };
    const { s3, injected } = faultyS3(stack.config, (command, call) =>
      command === "PutObject" ? faults[call] : undefined,
    );
    const handler = await checkpointedHandler(stack, auditArchive({ s3, bucket: bucketName }));
    // The third invocation's answer never reaches Lambda: the whole batch comes again.
    let invocations = 0;
    const mapping = createEventSourceMapping({
      streamArn: table.streamArn!,
      clients: stack.clients,
      handler: async (event, context) => {
        const response = await handler(event, context);
        if (++invocations === 3) throw new Error("Response lost");
        return response;
      },
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      timeout: 10,
    });
    mappings.push(mapping);
    await mapping.start();

    // The write history: inserts, modifies and deletes of 6 items, every type of value.
    const since = new Date(Date.now() - 3_600_000);
    const expected = new Map<string, Expected[]>();
    const current = new Map<string, AttributeMap>();
    for (let step = 0; step < 42; step++) {
      const pk = `ITEM#${(step * 7) % 6}`;
      const keys = { PK: { S: pk }, SK: { S: "A" } };
      const before = current.get(pk);
      const history = expected.get(pk) ?? [];
      expected.set(pk, history);
      if (before && step % 5 === 0) {
        await stack.clients.dynamodb.send(
          new DeleteItemCommand({ TableName: table.tableName, Key: toSdk(keys) }),
        );
        history.push({ kind: "remove", oldImage: before });
        current.delete(pk);
        continue;
      }
      const image: AttributeMap = {
        ...keys,
        step: { N: String(step) },
        big: { N: `${BIG.slice(0, -2)}${String(step).padStart(2, "0")}` },
        price: { N: `${step}.05` },
        blob: { B: Buffer.from([step, 0, 255]).toString("base64") },
        tags: { SS: [`t${step}`, "all"] },
        lines: { L: [{ M: { qty: { N: String(step + 1) }, raw: { B: "AAE=" } } }, { NULL: true }] },
        paid: { BOOL: step % 2 === 0 },
      };
      await stack.clients.dynamodb.send(
        new PutItemCommand({ TableName: table.tableName, Item: toSdk(image) }),
      );
      history.push(
        before
          ? { kind: "modify", oldImage: before, newImage: image }
          : { kind: "insert", newImage: image },
      );
      current.set(pk, image);
    }
    await mapping.waitForIdle();
    const until = new Date(Date.now() + 3_600_000);

    expect(injected).toEqual(["PutObject#2 before", "PutObject#4 after", "PutObject#6 before"]);
    expect(invocations).toBeGreaterThan(3);
    expect(mapping.stats().recordsDiscarded).toBe(0);
    expect(mapping.destinationMessages).toEqual([]);
    // The failures reached Lambda as partial batch responses, and it redelivered.
    expect(
      mapping.invocations.some(
        (i) => (i.result as { batchItemFailures?: unknown[] })?.batchItemFailures?.length,
      ),
    ).toBe(true);

    const archived = await collect(readAuditArchive({ s3, bucket: bucketName, since, until }));
    const total = [...expected.values()].reduce((sum, h) => sum + h.length, 0);
    expect(archived).toHaveLength(total);
    expect(new Set(archived.map((c) => c.meta.eventId)).size).toBe(total);
    for (const [pk, history] of expected) {
      const ofItem = archived.filter((c) => c.keys.PK === pk);
      const sequences = ofItem.map((c) => c.meta.sequenceNumber);
      expect([...sequences].sort(compareSequenceNumbers)).toEqual(sequences);
      expect(
        ofItem.map((c) => ({
          kind: c.kind,
          ...(c.oldImage && { oldImage: c.oldImage }),
          ...(c.newImage && { newImage: c.newImage }),
        })),
      ).toEqual(
        history.map((h) => ({
          kind: h.kind,
          ...(h.oldImage && { oldImage: decodeImage(h.oldImage) }),
          ...(h.newImage && { newImage: decodeImage(h.newImage) }),
        })),
      );
    }

    // Replaying the archive rebuilds the table as it is now.
    const rebuilt = new Map<string, unknown>();
    for (const c of archived) {
      if (c.kind === "remove") rebuilt.delete(c.keys.PK as string);
      else rebuilt.set(c.keys.PK as string, c.newImage);
    }
    const { Items = [] } = await stack.clients.dynamodb.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
    );
    expect(rebuilt).toEqual(
      new Map(
        Items.map((item) => {
          const image = decodeImage(
            Object.fromEntries(
              Object.entries(item).map(([k, v]) => [
                k,
                v.B ? { B: Buffer.from(v.B).toString("base64") } : v,
              ]),
            ) as AttributeMap,
          );
          return [image.PK as string, image];
        }),
      ),
    );
  });
});
