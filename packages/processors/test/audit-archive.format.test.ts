import {
  type AttributeMap,
  type AttributeValue,
  type ChangeEvent,
  canonicalNumber,
  type DynamoDBStreamRecord,
  decodeLambdaEvent,
} from "@sluice/records";
import { streamRecord } from "@sluice/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExactJson } from "../src/audit-archive/exact-json.js";
import {
  AuditArchiveError,
  archiveLine,
  athenaTableDdl,
  parseArchiveLine,
} from "../src/audit-archive/index.js";
import {
  foldersInRange,
  objectKey,
  partitionOf,
  partitionOfKey,
} from "../src/audit-archive/partition.js";

const BIG = "12345678901234567890123456789012345678";

function decoded(record: DynamoDBStreamRecord): ChangeEvent {
  const { events, failures } = decodeLambdaEvent({ Records: [record] });
  expect(failures).toEqual([]);
  return events[0]!;
}

/** What the archive promises to give back: the same values, numbers in plain canonical text. */
function canonical(av: AttributeValue): AttributeValue {
  if ("N" in av) return { N: canonicalNumber(av.N) };
  if ("NS" in av) return { NS: av.NS.map(canonicalNumber) };
  if ("M" in av) return { M: canonicalMap(av.M) };
  if ("L" in av) return { L: av.L.map(canonical) };
  return av;
}
const canonicalMap = (map: AttributeMap): AttributeMap =>
  Object.fromEntries(Object.entries(map).map(([name, av]) => [name, canonical(av)]));

describe("archive line", () => {
  it("writes every attribute type exactly: numbers with all digits, binary as base64, sets as lists, and where the JSON loses a type", () => {
    const keys = { PK: { S: "CUSTOMER#c-1" }, SK: { S: "ORDER#o-1" } };
    const record = streamRecord({
      eventId: "e-1",
      sequenceNumber: "4421584500000000017450439091",
      createdAt: 1_763_719_200, // 2025-11-21T10:00:00Z
      keys,
      oldImage: { ...keys, total: { N: "10" } },
      newImage: {
        ...keys,
        total: { N: BIG },
        tiny: { N: "1E-130" },
        huge: { N: "-9.9E+125" },
        paid: { BOOL: true },
        note: { NULL: true },
        receipt: { B: "AAEC/w==" },
        tags: { SS: ["gift", "rush"] },
        scores: { NS: ["1", BIG] },
        blobs: { BS: ["AQ==", "Ag=="] },
        items: { L: [{ M: { sku: { S: "A" }, qty: { N: "2" } } }, { B: "Aw==" }] },
        // Looks like a decoded Decimal to a JSON writer that guesses: must stay a map.
        money: { M: { kind: { S: "decimal" }, value: { S: "12.50" } } },
      },
    });
    const line = archiveLine(decoded(record), "Orders");
    expect(line).toBe(
      `{"v":1,"kind":"modify","keys":{"PK":"CUSTOMER#c-1","SK":"ORDER#o-1"},` +
        `"oldImage":{"PK":"CUSTOMER#c-1","SK":"ORDER#o-1","total":10},` +
        `"newImage":{"PK":"CUSTOMER#c-1","SK":"ORDER#o-1","total":${BIG},` +
        `"tiny":0.${"0".repeat(129)}1,"huge":-99${"0".repeat(124)},"paid":true,"note":null,` +
        `"receipt":"AAEC/w==","tags":["gift","rush"],"scores":[1,${BIG}],"blobs":["AQ==","Ag=="],` +
        `"items":[{"sku":"A","qty":2},"Aw=="],"money":{"kind":"decimal","value":"12.50"}},` +
        `"meta":{"eventId":"e-1","eventName":"MODIFY","sequenceNumber":"4421584500000000017450439091",` +
        `"tableName":"Orders","region":"us-east-1","approximateCreationTime":"2025-11-21T10:00:00.000Z",` +
        `"sizeBytes":${record.dynamodb!.SizeBytes},"viewType":"NEW_AND_OLD_IMAGES",` +
        `"streamArn":"${record.eventSourceARN}"},` +
        `"types":{"newImage":{"receipt":"B","tags":"SS","scores":"NS","blobs":"BS","items":{"1":"B"}}}}`,
    );
    // Plain JSON for every JSON reader (Athena's SerDe, jq): the line parses.
    expect(() => JSON.parse(line)).not.toThrow();
  });

  it("puts the cause on removes and leaves out images the stream does not carry", () => {
    const keys = { PK: { S: "CART#c-1" }, SK: { S: "ITEM#tea" } };
    const line = JSON.parse(
      archiveLine(decoded(streamRecord({ keys, oldImage: { ...keys }, ttl: true })), "Orders"),
    );
    expect(line.kind).toBe("remove");
    expect(line.meta.cause).toBe("ttl");
    expect(line).not.toHaveProperty("newImage");
    const keysOnly = JSON.parse(
      archiveLine(decoded(streamRecord({ keys, eventName: "INSERT", viewType: "KEYS_ONLY" })), "T"),
    );
    expect(Object.keys(keysOnly)).toEqual(["v", "kind", "keys", "meta"]);
  });

  it("reads back into the record Lambda delivered, for any images (property)", () => {
    const digits = fc
      .tuple(
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 37 }),
      )
      .map(([first, rest]) => `${first}${rest.join("")}`);
    const number = fc
      .tuple(fc.boolean(), digits, fc.integer({ min: -60, max: 60 }))
      .map(([negative, d, exponent]) => `${negative ? "-" : ""}${d}E${exponent}`);
    const base64 = fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString("base64"));
    const name = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "a.b", "1"));
    const { value } = fc.letrec<{ value: AttributeValue }>((tie) => ({
      value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.string().map((S) => ({ S })),
        number.map((N) => ({ N })),
        base64.map((B) => ({ B })),
        fc.boolean().map((BOOL) => ({ BOOL })),
        fc.constant({ NULL: true as const }),
        fc.uniqueArray(fc.string(), { minLength: 1, maxLength: 4 }).map((SS) => ({ SS })),
        fc
          .uniqueArray(number, { minLength: 1, maxLength: 4, selector: canonicalNumber })
          .map((NS) => ({ NS })),
        fc.uniqueArray(base64, { minLength: 1, maxLength: 3 }).map((BS) => ({ BS })),
        fc.array(tie("value"), { maxLength: 3 }).map((L) => ({ L })),
        fc
          .array(fc.tuple(name, tie("value")), { maxLength: 3 })
          .map((entries) => ({ M: Object.fromEntries(entries) })),
      ),
    }));
    const image = fc
      .array(fc.tuple(name, value), { maxLength: 5 })
      .map((entries) => Object.fromEntries(entries) as AttributeMap);
    const keys = { PK: { S: "ITEM#1" }, SK: { B: "AQI=" } } as AttributeMap;
    fc.assert(
      fc.property(image, image, fc.constantFrom("INSERT", "MODIFY", "REMOVE"), (a, b, name) => {
        const record = streamRecord({
          keys,
          eventName: name as "INSERT" | "MODIFY" | "REMOVE",
          ...(name !== "REMOVE" && { newImage: { ...a, ...keys } }),
          ...(name !== "INSERT" && { oldImage: { ...b, ...keys } }),
          ttl: name === "REMOVE",
        });
        const { record: rebuilt, meta } = parseArchiveLine(archiveLine(decoded(record), "Orders"));
        expect(rebuilt).toEqual({
          ...record,
          dynamodb: {
            ...record.dynamodb,
            Keys: keys,
            ...(record.dynamodb!.NewImage && { NewImage: canonicalMap(record.dynamodb!.NewImage) }),
            ...(record.dynamodb!.OldImage && { OldImage: canonicalMap(record.dynamodb!.OldImage) }),
          },
        });
        expect(meta.tableName).toBe("Orders");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses lines it cannot read, with a code", () => {
    const bad = [
      "not json",
      "[]",
      `{"v":2,"kind":"insert"}`,
      `{"v":1,"kind":"insert","keys":{"PK":"A"},"meta":{"eventId":"e","eventName":"INSERT","sequenceNumber":"1e3","tableName":"T","approximateCreationTime":"2026-01-01T00:00:00Z"}}`,
      `{"v":1,"kind":"insert","meta":{"eventId":"e","eventName":"INSERT","sequenceNumber":"1","tableName":"T","approximateCreationTime":"2026-01-01T00:00:00Z"}}`,
      `{"v":1,"kind":"insert","keys":{"PK":1},"types":{"keys":{"PK":"B"}},"meta":{"eventId":"e","eventName":"INSERT","sequenceNumber":"1","tableName":"T","approximateCreationTime":"2026-01-01T00:00:00Z"}}`,
    ];
    for (const line of bad) {
      expect(() => parseArchiveLine(line)).toThrow(AuditArchiveError);
      try {
        parseArchiveLine(line);
      } catch (error) {
        expect((error as AuditArchiveError).code).toBe("MALFORMED_LINE");
      }
    }
  });

  it("parses numbers as their exact text", () => {
    expect(parseExactJson(`{"a":[${BIG},1.50]}`)).toEqual({
      a: [{ text: BIG }, { text: "1.50" }],
    });
  });
});

describe("object keys", () => {
  const changes = [
    { eventId: "b", sequenceNumber: "900" },
    { eventId: "a", sequenceNumber: "1000" },
    { eventId: "c", sequenceNumber: "95" },
  ];
  const partition = partitionOf("Orders", new Date("2026-11-21T23:59:59.999Z"));

  it("are Hive-style partitions by the change's UTC hour", () => {
    expect(partition).toEqual({ table: "Orders", dt: "2026-11-21", hour: "23" });
    expect(partitionOf("T", new Date("2026-11-22T00:00:00+01:00"))).toMatchObject({
      dt: "2026-11-21",
      hour: "23",
    });
    const key = objectKey("audit/", partition, changes);
    expect(key).toMatch(
      /^audit\/table=Orders\/dt=2026-11-21\/hour=23\/95-1000-[0-9a-f]{16}\.jsonl\.gz$/,
    );
    expect(partitionOfKey(key)).toEqual(partition);
    expect(objectKey("", partition, changes)).toMatch(/^table=Orders\//);
    expect(objectKey("/a/b/", partition, changes)).toMatch(/^a\/b\/table=Orders\//);
  });

  it("come from the changes alone: same set, same key; another set, another key", () => {
    const key = objectKey("audit", partition, changes);
    expect(objectKey("audit", partition, [...changes].reverse())).toBe(key);
    expect(objectKey("audit", partition, changes.slice(0, 2))).not.toBe(key);
    // Same first and last sequence number, different changes between: the digest tells them apart.
    const other = [changes[0]!, { eventId: "z", sequenceNumber: "950" }, changes[2]!];
    const same = [changes[0]!, { eventId: "y", sequenceNumber: "950" }, changes[2]!];
    expect(objectKey("audit", partition, other)).not.toBe(objectKey("audit", partition, same));
  });

  it("ranges list whole days as one folder and the edge days by hour, nothing outside", () => {
    const folders = foldersInRange(
      new Date("2026-11-20T22:30:00Z"),
      new Date("2026-11-23T01:00:00Z"),
    );
    expect(folders.map(({ dt, hour }) => (hour ? `${dt}/${hour}` : dt))).toEqual([
      "2026-11-20/22",
      "2026-11-20/23",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23/00",
    ]);
    expect(
      foldersInRange(new Date("2026-11-21T10:59:59Z"), new Date("2026-11-21T11:00:00Z")),
    ).toMatchObject([{ dt: "2026-11-21", hour: "10" }]);
  });
});

describe("athenaTableDdl", () => {
  it("creates a JSON table with partition projection on dt and hour, so no MSCK REPAIR or crawler", () => {
    const ddl = athenaTableDdl({
      database: "shop",
      table: "orders_audit",
      location: "s3://shop-archive/audit/table=Orders",
      firstDay: "2026-01-01",
    });
    expect(ddl).toMatch(/^CREATE EXTERNAL TABLE IF NOT EXISTS `shop`\.`orders_audit` \(/);
    expect(ddl).toContain("ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'");
    expect(ddl).toContain("PARTITIONED BY (`dt` string, `hour` string)");
    expect(ddl).toContain("LOCATION 's3://shop-archive/audit/table=Orders/'");
    for (const property of [
      "'projection.enabled' = 'true'",
      "'projection.dt.type' = 'date'",
      "'projection.dt.format' = 'yyyy-MM-dd'",
      "'projection.dt.range' = '2026-01-01,NOW'",
      "'projection.dt.interval.unit' = 'DAYS'",
      "'projection.hour.type' = 'integer'",
      "'projection.hour.range' = '0,23'",
      "'projection.hour.digits' = '2'",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's own placeholders
      "'storage.location.template' = 's3://shop-archive/audit/table=Orders/dt=${dt}/hour=${hour}/'",
    ]) {
      expect(ddl).toContain(property);
    }
    // Each top-level member of a line is a column (Athena lower-cases names).
    for (const column of ["v", "kind", "keys", "oldimage", "newimage", "meta", "types"]) {
      expect(ddl).toContain(`\`${column}\``);
    }
  });

  it("refuses names and locations that would break the statement", () => {
    const ok = { database: "shop", table: "audit", location: "s3://b/audit/table=T/" };
    for (const options of [
      { ...ok, database: "shop; DROP" },
      { ...ok, table: "a-b" },
      { ...ok, location: "/local/path" },
      { ...ok, location: "s3://b/it's" },
      { ...ok, firstDay: "01/01/2026" },
    ]) {
      expect(() => athenaTableDdl(options)).toThrow(
        expect.objectContaining({ code: "INVALID_OPTION" }),
      );
    }
  });
});
