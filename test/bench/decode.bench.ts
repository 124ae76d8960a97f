// Decodes one Lambda event of 1,000 order changes (NEW_AND_OLD_IMAGES, about 1 KB per image)
// three ways: sluice, @aws-sdk/util-dynamodb `unmarshall` on Keys/NewImage/OldImage, and the
// Powertools parser's DynamoDBStreamSchema. Prints records per second and the ratios.
import { loaderFrom } from "./support.ts";

type AttributeMap = Record<string, unknown>;
interface StreamRecord {
  eventID: string;
  eventName: string;
  dynamodb: { Keys: AttributeMap; NewImage: AttributeMap; OldImage: AttributeMap };
  [member: string]: unknown;
}

// The libraries compared are development dependencies of @sluice/records, so resolve them (and
// the built @sluice/records itself) from that package.
const load = loaderFrom("records");

const RECORDS = 1_000;
const WARMUP_ROUNDS = 30;
const ROUNDS = 60;

const S = (value: string) => ({ S: value });
const N = (value: string | number) => ({ N: String(value) });

function orderImage(i: number, status: string): AttributeMap {
  const items = Array.from({ length: 4 }, (_, j) => ({
    M: {
      sku: S(`SKU-${(i * 7 + j) % 500}`),
      name: S(`Product ${(i + j) % 97} large ceramic`),
      qty: N(1 + ((i + j) % 4)),
      price: N((((i * 13 + j * 7) % 10000) / 100 + 0.99).toFixed(2)),
    },
  }));
  return {
    PK: S(`CUSTOMER#c-${i % 250}`),
    SK: S(`ORDER#o-${100000 + i}`),
    orderId: S(`o-${100000 + i}`),
    customerId: S(`c-${i % 250}`),
    orderDate: S(`2026-11-${String(1 + (i % 28)).padStart(2, "0")}T14:03:11Z`),
    status: S(status),
    total: N((((i * 31) % 50000) / 100 + 10.5).toFixed(2)),
    currency: S("EUR"),
    items: { L: items },
    shippingAddress: {
      M: {
        name: S("Aoife Byrne"),
        line1: S(`${i % 200} Canal Street`),
        city: S("Dublin"),
        postcode: S("D02 X285"),
        country: S("IE"),
      },
    },
    tags: { SS: ["web", i % 3 === 0 ? "gift" : "standard"] },
    loyaltyPoints: N(i * 3),
    updatedAt: N(1795183391 + i),
    express: { BOOL: i % 5 === 0 },
    note: { NULL: true },
  };
}

function orderEvent(): { Records: StreamRecord[] } {
  const Records = Array.from({ length: RECORDS }, (_, i) => {
    const oldImage = orderImage(i, "pending");
    const newImage = orderImage(i, "paid");
    return {
      eventID: `c81e728d9d4c2f636f067f89cc1${String(i).padStart(5, "0")}`,
      eventName: "MODIFY",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "eu-west-1",
      eventSourceARN:
        "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-11-01T08:15:30.123",
      dynamodb: {
        ApproximateCreationDateTime: 1795183391,
        Keys: { PK: oldImage.PK as AttributeMap, SK: oldImage.SK as AttributeMap },
        NewImage: newImage,
        OldImage: oldImage,
        SequenceNumber: String(4421584500000000017450439091n + BigInt(i) * 100n),
        SizeBytes: 2100,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
    };
  });
  return { Records };
}

interface Timing {
  best: number;
  median: number;
}

/**
 * Best and median round, in milliseconds of CPU time, for each decoder. CPU time leaves out the
 * time other processes hold the CPU, and rounds are interleaved so what remains of their load
 * falls on all decoders alike.
 */
function measure(decoders: Record<string, () => void>): Record<string, Timing> {
  const names = Object.keys(decoders);
  for (let round = 0; round < WARMUP_ROUNDS; round++) for (const name of names) decoders[name]!();
  const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      const start = process.cpuUsage();
      decoders[name]!();
      const used = process.cpuUsage(start);
      times[name]!.push((used.user + used.system) / 1000);
    }
  }
  return Object.fromEntries(
    names.map((name) => {
      const sorted = times[name]!.sort((a, b) => a - b);
      return [name, { best: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]! }];
    }),
  );
}

export default async function decodeBench(): Promise<void> {
  const { decodeLambdaEvent } = await load<{
    decodeLambdaEvent: (event: unknown) => { events: unknown[]; failures: unknown[] };
  }>("@sluice/records");
  const { unmarshall } = await load<{ unmarshall: (map: AttributeMap) => unknown }>(
    "@aws-sdk/util-dynamodb",
  );
  const { DynamoDBStreamSchema } = await load<{
    DynamoDBStreamSchema: { parse: (event: unknown) => { Records: unknown[] } };
  }>("@aws-lambda-powertools/parser/schemas/dynamodb");

  // Lambda hands a handler the event as JSON.parse made it, so the benchmark input is made the same way.
  const event = JSON.parse(JSON.stringify(orderEvent())) as { Records: StreamRecord[] };
  const imageBytes = JSON.stringify(event.Records[0]!.dynamodb.NewImage).length;
  let sink = 0;

  // Each decoder must understand every record before it is timed.
  const check = decodeLambdaEvent(event);
  if (check.events.length !== RECORDS || check.failures.length > 0) {
    throw new Error("sluice did not decode every benchmark record");
  }
  if (DynamoDBStreamSchema.parse(event).Records.length !== RECORDS) {
    throw new Error("Powertools did not parse every benchmark record");
  }

  const timings = measure({
    sluice: () => {
      sink += decodeLambdaEvent(event).events.length;
    },
    // Like the other two, this keeps the decoded batch, as a consumer of it would.
    "util-dynamodb": () => {
      const decoded = [];
      for (const record of event.Records) {
        const change = record.dynamodb;
        decoded.push({
          keys: unmarshall(change.Keys),
          newImage: unmarshall(change.NewImage),
          oldImage: unmarshall(change.OldImage),
        });
      }
      sink += decoded.length;
    },
    powertools: () => {
      sink += DynamoDBStreamSchema.parse(event).Records.length;
    },
  });

  const perSecond = (ms: number) => Math.round((RECORDS / ms) * 1000);
  console.log(
    `${RECORDS} MODIFY records, NEW_AND_OLD_IMAGES, ${imageBytes} bytes of JSON per image; CPU time of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up rounds`,
  );
  console.table(
    Object.entries(timings).map(([decoder, { best, median }]) => ({
      decoder,
      "records/s (best)": perSecond(best).toLocaleString("en-US"),
      "records/s (median)": perSecond(median).toLocaleString("en-US"),
    })),
  );
  const ratio = (a: string, b: string, of: keyof Timing) =>
    `${(timings[b]![of] / timings[a]![of]).toFixed(2)}x`;
  console.log(
    `sluice / util-dynamodb: ${ratio("sluice", "util-dynamodb", "best")} best, ${ratio("sluice", "util-dynamodb", "median")} median (goal >= 2x)`,
  );
  console.log(
    `sluice / powertools:    ${ratio("sluice", "powertools", "best")} best, ${ratio("sluice", "powertools", "median")} median (goal >= 5x)`,
  );
  if (sink === 0) console.log("nothing decoded");
}
