import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { useLocalStack } from "@sluice/local/testing";
import { auditArchive } from "@sluice/processors";
import type { AttributeMap, DynamoDBStreamRecord } from "@sluice/records";
import { streamHandler } from "@sluice/runtime";
import { streamArnOf, streamRecord } from "@sluice/testing";
import { beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const stack = useLocalStack();
const BIG = "12345678901234567890123456789012345678";
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const window = ["--since", "2026-11-21T00:00:00Z", "--until", "2026-11-22T00:00:00Z"];

let dir: string;
let localConfig: string;

// A projection as a Lambda handler module: appends each record it is given to $OUT, and reports
// the records whose eventID is in $FAIL as failed (and, by Lambda's rules, every later one).
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-cli-replay-audit-"));
  localConfig = join(dir, "local-stack.json");
  await writeFile(localConfig, JSON.stringify(stack.config));
  await writeFile(
    join(dir, "projection.mjs"),
    `import { appendFileSync } from "node:fs";
export async function handler(event) {
  const failing = (process.env.FAIL ?? "").split(",");
  for (const record of event.Records) {
    if (failing.includes(record.eventID)) {
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb.SequenceNumber }] };
    }
    appendFileSync(process.env.OUT, JSON.stringify({ replay: event.replay, record }) + "\\n");
  }
  return { batchItemFailures: [] };
}
`,
  );
});

function sluice(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, "replay", ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Change `index` of item `pk` at `iso`, with a 38-digit number, binary and a set. */
function change(index: number, pk: string, iso: string, table = "Orders") {
  const keys = { PK: { S: pk }, SK: { S: "ORDER" } };
  const image: AttributeMap = {
    ...keys,
    version: { N: String(index) },
    total: { N: BIG },
    receipt: { B: "AAEC/w==" },
    tags: { SS: ["gift", `v${index}`] },
  };
  const record = streamRecord({
    index,
    eventId: `e-${index}`,
    keys,
    newImage: image,
    createdAt: at(iso),
  });
  record.eventSourceARN = streamArnOf(table);
  return record;
}

/**
 * An archive of 3 items in two hours, written by auditArchive in three deliveries; the third
 * repeats two changes with other boundaries, as a redelivery does.
 */
async function archive(): Promise<{ bucket: string; records: DynamoDBStreamRecord[] }> {
  const { bucketName } = await stack.createBucket();
  const handler = streamHandler({
    pipeline: "shop",
    processors: [auditArchive({ s3: stack.clients.s3, bucket: bucketName })],
    metrics: false,
    logger: { sink: () => {} },
  });
  const records = [
    change(1, "A", "2026-11-21T10:00:00Z"),
    change(2, "B", "2026-11-21T10:00:00Z"),
    change(3, "A", "2026-11-21T10:00:01Z"),
    change(4, "C", "2026-11-21T10:30:00Z"),
    change(5, "A", "2026-11-21T11:00:00Z"),
    change(6, "B", "2026-11-21T11:15:00Z"),
    change(7, "A", "2026-11-21T11:20:00Z"),
  ];
  const carts = change(8, "CART", "2026-11-21T10:00:00Z", "Carts");
  for (const batch of [records.slice(0, 4), [...records.slice(4), carts], records.slice(2, 5)]) {
    const response = await handler({ Records: batch }, { getRemainingTimeInMillis: () => 60_000 });
    expect(response.batchItemFailures).toEqual([]);
  }
  return { bucket: bucketName, records };
}

async function projected(out: string) {
  const text = await readFile(out, "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { replay: boolean; record: DynamoDBStreamRecord });
}

const local = () => ["--local", "--local-config", localConfig];

describe("sluice replay audit", () => {
  it("rebuilds a projection from the archive, each change once and every item's changes in order; a second run replays nothing", async () => {
    const { bucket, records } = await archive();
    const out = join(dir, "projection.jsonl");
    const args = [
      "audit",
      `s3://${bucket}/audit/`,
      ...local(),
      ...window,
      "--table",
      "Orders",
      "--handler",
      "./projection.mjs",
      "--batch-size",
      "3",
      "--progress",
      join(dir, "progress.jsonl"),
    ];
    const run = sluice(args, { OUT: out });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      "replayed 7, skipped 0, failed again 0, expired 0, malformed 0 (3 messages)\n",
    );

    const seen = await projected(out);
    expect(seen.every((s) => s.replay === true)).toBe(true);
    const countPerItem = new Map<string, number>();
    for (const { record } of seen) {
      const pk = record.dynamodb!.Keys!.PK as { S: string };
      countPerItem.set(pk.S, (countPerItem.get(pk.S) ?? 0) + 1);
    }
    expect(Object.fromEntries(countPerItem)).toEqual({ A: 4, B: 2, C: 1 });
    // In order per item (here, globally: creation time, then sequence number).
    expect(seen.map((s) => s.record.eventID)).toEqual(records.map((r) => r.eventID));
    // The records Lambda delivered, typed values and all.
    expect(seen[0]!.record).toEqual(records[0]);

    const again = sluice([...args, "--json"], { OUT: out });
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ replayed: 0, skipped: 7 });
    expect(await projected(out)).toHaveLength(7);
  });

  it("holds back an item's later changes after one fails, and replays them in order on the next run", async () => {
    const { bucket } = await archive();
    const out = join(dir, "held.jsonl");
    const args = [
      "audit",
      `s3://${bucket}/audit`,
      ...local(),
      ...window,
      "--handler",
      "./projection.mjs",
    ];
    const progress = ["--progress", join(dir, "held-progress.jsonl"), "--batch-size", "2"];
    // Events: [e-1 e-2] [e-8 of Carts] [e-3 e-4] [e-5 e-6] [e-7]. e-3, A's second change, fails:
    // by Lambda's rule so does e-4 (C) after it; A's and C's later changes wait, B goes on.
    const run = sluice([...args, ...progress], { OUT: out, FAIL: "e-3" });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("replayed 4, skipped 0, failed again 4");
    expect(run.stderr).toContain("failed again:");
    expect(run.stderr).toContain("held back: an earlier change of its item");
    const first = (await projected(out)).map((s) => s.record.eventID);
    expect(first).toEqual(["e-1", "e-2", "e-8", "e-6"]);

    const rerun = sluice([...args, ...progress], { OUT: out });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain("replayed 4, skipped 4");
    const all = (await projected(out)).map((s) => s.record.eventID);
    expect(all.slice(first.length)).toEqual(["e-3", "e-4", "e-5", "e-7"]);
  });

  it("--dry-run prints what it would replay and runs nothing", async () => {
    const { bucket } = await archive();
    const out = join(dir, "dry.jsonl");
    const run = sluice(
      [
        "audit",
        `s3://${bucket}/audit/`,
        ...local(),
        ...window,
        "--key",
        "PK=B",
        "--dry-run",
        "--handler",
        "./projection.mjs",
      ],
      { OUT: out },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    const plan = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(plan.map((p) => [p.keys.PK.S, p.sequenceNumber])).toEqual([
      ["B", "10000000000000000000000200"],
      ["B", "10000000000000000000000600"],
    ]);
    expect(lines.at(-1)).toBe(
      "dry run: would replay 2, skipped 6, failed again 0, expired 0, malformed 0 (3 messages)",
    );
    expect(await projected(out)).toEqual([]);
  });

  it("reports an unreadable archive object as malformed, replays the rest, and exits 1", async () => {
    const { bucket } = await archive();
    const key = "audit/table=Orders/dt=2026-11-21/hour=10/1-1-broken.jsonl.gz";
    // fauxqs takes an unsigned PUT; this package does not depend on the S3 client.
    const put = await fetch(`${stack.endpoints.s3}/${bucket}/${key}`, { method: "PUT", body: "x" });
    expect(put.ok).toBe(true);
    const out = join(dir, "malformed.jsonl");
    const run = sluice(
      [
        "audit",
        `s3://${bucket}/audit/`,
        ...local(),
        ...window,
        "--table",
        "Orders",
        "--handler",
        "./projection.mjs",
      ],
      { OUT: out },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("replayed 7, skipped 0, failed again 0, expired 0, malformed 1");
    expect(run.stderr).toContain(
      `malformed, left in place: s3://${bucket}/${key}: INVALID_ENVELOPE: MALFORMED_OBJECT`,
    );
    expect(await projected(out)).toHaveLength(7);
  });

  it.each([
    {
      when: "the time range is missing",
      args: ["--handler", "./projection.mjs"],
      error: "audit needs --since TIME and --until TIME",
    },
    {
      when: "a filter does not apply",
      args: [...window, "--processor", "x", "--handler", "./projection.mjs"],
      error: "--processor and --error-code do not apply",
    },
    {
      when: "the target is a queue",
      args: [...window, "--to-queue", "http://q"],
      error: "the audit archive replays through --handler only",
    },
  ])("exits 2 when $when", ({ args, error }) => {
    const run = sluice(["audit", "s3://archive/audit/", ...local(), ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(error);
  });
});
