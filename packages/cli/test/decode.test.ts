import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const sample = fileURLToPath(new URL("../samples/orders-stream-event.json", import.meta.url));
const recordsFixture = (name: string) =>
  fileURLToPath(new URL(`../../records/test/fixtures/${name}`, import.meta.url));

function sluice(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input,
    encoding: "utf8",
  });
  const lines = (text: string) =>
    text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line));
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    lines: () => lines(result.stdout),
    errors: () => lines(result.stderr),
  };
}

describe("sluice decode", () => {
  it("prints one JSON line per change in the bundled sample", () => {
    const run = sluice(["decode", sample]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.lines();
    expect(lines.map((l) => l.kind)).toEqual([
      "insert",
      "insert",
      "modify",
      "modify",
      "remove",
      "remove",
    ]);
    expect(lines[2]).toMatchObject({
      oldImage: { status: "pending" },
      newImage: { status: "paid" },
    });
    expect(lines[4]).toMatchObject({ kind: "remove", cause: "ttl", keys: { PK: "CART#c-1001" } });
    expect("newImage" in lines[4]).toBe(false);
    expect(lines[0].meta).toMatchObject({
      tableName: "Orders",
      region: "eu-west-1",
      eventName: "INSERT",
    });
    expect(lines[0].newImage.tags).toEqual(["newsletter", "vip"]);
  });

  it("writes every digit of large and precise numbers, and binary as base64", () => {
    const out = sluice(["decode", sample]).stdout;
    expect(out).toContain('"paymentReference":12345678901234567890123456789012345678');
    expect(out).toContain('"fxRate":1.0837462918374629183746291837462918374');
    expect(out).toContain('"fingerprint":"3q2+7w=="');
  });

  it("reads stdin when no file is given", () => {
    const run = sluice(["decode"], readFileSync(sample, "utf8"));
    expect(run.status).toBe(0);
    expect(run.lines()).toHaveLength(6);
  });

  it("accepts a file or stdin that starts with a UTF-8 byte-order mark", () => {
    const withBom = `\uFEFF${readFileSync(sample, "utf8")}`;
    const file = join(mkdtempSync(join(tmpdir(), "sluice-decode-")), "bom.json");
    writeFileSync(file, withBom, "utf8");
    expect(readFileSync(file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    for (const run of [sluice(["decode", file]), sluice(["decode"], withBom)]) {
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.lines()).toHaveLength(6);
    }
  });

  it.each([
    "kinesis-event.json",
    "pipes-batch.json",
    "failure-destination-s3.json",
    "lambda-keys-only.json",
  ])("decodes %s", (name) => {
    const run = sluice(["decode", recordsFixture(name)]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.lines().length).toBeGreaterThan(0);
  });

  it("names the stream and shard of GetRecords output with --stream-arn and --shard-id", () => {
    const arn =
      "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-11-01T08:15:30.123";
    const args = [
      "decode",
      recordsFixture("get-records-cli.json"),
      "--stream-arn",
      arn,
      "--shard-id",
      "shardId-1",
    ];
    const run = sluice(args);
    expect(run.status).toBe(0);
    const lines = run.lines();
    expect(lines[0].meta).toMatchObject({
      source: "get-records",
      tableName: "Orders",
      shardId: "shardId-1",
      streamArn: arn,
    });
    expect(lines[1]).toMatchObject({
      kind: "remove",
      cause: "ttl",
      oldImage: { fingerprint: "3q2+7w==" },
    });
  });

  it("reports bad records on stderr, keeps the good ones and exits 1", () => {
    const event = JSON.parse(readFileSync(sample, "utf8"));
    event.Records[1].dynamodb.NewImage.total = { N: "12..5" };
    event.Records.splice(3, 0, { eventID: "broken", eventSource: "aws:dynamodb" });
    const run = sluice(["decode"], JSON.stringify(event));
    expect(run.status).toBe(1);
    expect(run.lines()).toHaveLength(5);
    expect(run.errors()).toEqual([
      expect.objectContaining({
        code: "INVALID_NUMBER",
        eventId: event.Records[1].eventID,
        position: 1,
        path: "NewImage.total",
      }),
      expect.objectContaining({ code: "NOT_A_STREAM_RECORD", eventId: "broken", position: 3 }),
    ]);
  });

  it("exits 2 for input it cannot use", () => {
    expect(sluice(["decode"], "{not json").status).toBe(2);
    const unknown = sluice(["decode"], '{"hello":"world"}');
    expect(unknown.status).toBe(2);
    expect(unknown.errors()[0]).toMatchObject({ code: "UNKNOWN_SOURCE" });
    expect(sluice(["decode", "no-such-file.json"]).status).toBe(2);
    expect(sluice(["decode", "--numbers", "float", sample]).status).toBe(2);
  });

  it("applies --numbers and --ttl-attribute", () => {
    const asText = sluice(["decode", "--numbers", "string", sample]).lines();
    expect(asText[1].newImage.total).toBe("149.97");
    const event = JSON.parse(readFileSync(sample, "utf8"));
    delete event.Records[4].userIdentity;
    const inferred = sluice(
      ["decode", "--ttl-attribute", "expiresAt"],
      JSON.stringify(event),
    ).lines();
    expect(inferred[4]).toMatchObject({ cause: "ttl" });
    const plain = sluice(["decode"], JSON.stringify(event)).lines();
    expect(plain[4]).toMatchObject({ cause: "user" });
  });
});

describe("sluice", () => {
  it("lists its commands with --help", () => {
    const run = sluice(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/decode\s+Decode DynamoDB stream records/);
    expect(sluice(["decode", "--help"]).stdout).toMatch(/Usage: sluice decode/);
  });

  it("rejects an unknown command", () => {
    const run = sluice(["frobnicate"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
