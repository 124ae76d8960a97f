import type { Sdk, Sender } from "./packages.ts";
import { mulberry32 } from "./random.ts";

/** One write to the source table; each produces exactly one stream record. */
export interface Change {
  item: string;
  op: "put" | "update" | "delete";
  /** The item's version after this change; a delete uses up a version too. */
  version: number;
  /** The handler throws PoisonRecordError for it; the fixed (replay) handler applies it. */
  poison: boolean;
  /** Big enough that its dead letter exceeds the queue's message size and goes to S3. */
  padded: boolean;
}

const ITEMS = 300;
const POISON_RATE = 0.01;
const PADDED_SHARE = 0.5;
const PADDING = "x".repeat(10_000);

/**
 * The seed's changes: puts, updates and deletes over a few hundred items. Deletes only hit items
 * that exist, and every put or update sets a new version, so no write is a no-op that DynamoDB
 * would leave out of the stream.
 */
export function planChanges(seed: number, count: number): Change[] {
  const random = mulberry32(seed);
  const versions = new Map<string, number>();
  const exists = new Set<string>();
  const changes: Change[] = [];
  for (let i = 0; i < count; i++) {
    const item = `ITEM#${Math.floor(random() * ITEMS)}`;
    const pick = random();
    const op = !exists.has(item)
      ? pick < 0.6
        ? "put"
        : "update"
      : pick < 0.3
        ? "put"
        : pick < 0.8
          ? "update"
          : "delete";
    const version = (versions.get(item) ?? 0) + 1;
    versions.set(item, version);
    if (op === "delete") exists.delete(item);
    else exists.add(item);
    const poison = op !== "delete" && random() < POISON_RATE;
    changes.push({ item, op, version, poison, padded: poison && random() < PADDED_SHARE });
  }
  return changes;
}

/** The identity of a change, the same in every run of a seed (stream eventIDs are not). */
export function changeId(item: string, newVersion?: number, oldVersion?: number): string {
  return newVersion === undefined ? `${item}#deleted-v${oldVersion}` : `${item}#v${newVersion}`;
}

function request(sdk: Sdk, tableName: string, change: Change): object {
  const Key = { PK: { S: change.item }, SK: { S: "STATE" } };
  if (change.op === "delete")
    return new sdk.dynamodb.DeleteItemCommand({ TableName: tableName, Key });
  const marks = {
    ...(change.poison && { poison: { BOOL: true } }),
    ...(change.padded && { padding: { S: PADDING } }),
  };
  if (change.op === "put") {
    return new sdk.dynamodb.PutItemCommand({
      TableName: tableName,
      Item: { ...Key, version: { N: String(change.version) }, ...marks },
    });
  }
  // An update keeps the attributes it does not name: clear an earlier change's marks.
  const cleared = ["poison", "padding"].filter((name) => !(name in marks));
  return new sdk.dynamodb.UpdateItemCommand({
    TableName: tableName,
    Key,
    UpdateExpression: `SET version = :version${Object.keys(marks)
      .map((name) => `, ${name} = :${name}`)
      .join("")}${cleared.length > 0 ? ` REMOVE ${cleared.join(", ")}` : ""}`,
    ExpressionAttributeValues: {
      ":version": { N: String(change.version) },
      ...Object.fromEntries(Object.entries(marks).map(([name, value]) => [`:${name}`, value])),
    },
  });
}

/**
 * Writes the changes with up to `inFlight` requests at a time; an item's changes wait for its
 * previous one, so each item's stream records come in the planned order.
 */
export async function writeChanges(
  sdk: Sdk,
  dynamodb: Sender,
  tableName: string,
  changes: Change[],
  inFlight = 8,
): Promise<void> {
  const tails = new Map<string, Promise<unknown>>();
  const running = new Set<Promise<unknown>>();
  for (const change of changes) {
    while (running.size >= inFlight) await Promise.race(running);
    const write = (tails.get(change.item) ?? Promise.resolve()).then(() =>
      dynamodb.send(request(sdk, tableName, change)),
    );
    const settled = write.finally(() => running.delete(settled));
    // A failed write ends the soak through the race below or the final wait; none goes unhandled.
    settled.catch(() => {});
    tails.set(change.item, write);
    running.add(settled);
  }
  await Promise.all(running);
}
