import { describe, expect, it } from "vitest";
import { DeadLetterDeliveryError } from "../src/index.js";
import { batchBySize, type RefusedEntry, sendWithRetries } from "../src/retry.js";

const noWait = { sleep: async () => {} };

describe("batchBySize", () => {
  it("keeps batches within the entry count and the byte budget", () => {
    const sizes = [400, 400, 400, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100];
    const batches = batchBySize(sizes, 10, 1000, (n) => n);
    expect(batches).toEqual([
      [400, 400],
      [400, 100, 100, 100, 100, 100, 100],
      [100, 100, 100, 100],
    ]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1000);
    }
  });
});

describe("sendWithRetries", () => {
  const entries = ["a", "b", "c"].map((id) => ({ id }));

  it("resends only refused entries until they are stored", async () => {
    const calls: string[][] = [];
    let refuseB = 2;
    await sendWithRetries(
      "queue q",
      entries,
      (e) => [e],
      async (batch) => {
        calls.push(batch.map((e) => e.id));
        if (batch.some((e) => e.id === "b") && refuseB-- > 0) {
          return [{ id: "b", code: "InternalError", message: "try again", retryable: true }];
        }
        return [];
      },
      noWait,
    );
    expect(calls).toEqual([["a", "b", "c"], ["b"], ["b"]]);
  });

  it("names the destination and the entries when attempts run out", async () => {
    const refuse = async (batch: { id: string }[]): Promise<RefusedEntry[]> =>
      batch.map((e) => ({
        id: e.id,
        code: "ServiceUnavailable",
        message: "down",
        retryable: true,
      }));
    const error = await sendWithRetries("SQS queue q", entries, (e) => [e], refuse, {
      ...noWait,
      attempts: 3,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadLetterDeliveryError);
    const delivery = error as DeadLetterDeliveryError;
    expect(delivery.destination).toBe("SQS queue q");
    expect(delivery.failed.map((f) => f.id)).toEqual(["a", "b", "c"]);
    expect(delivery.message).toContain("SQS queue q");
  });

  it("does not resend what the destination will never take", async () => {
    let calls = 0;
    const error = await sendWithRetries(
      "q",
      entries,
      (e) => [e],
      async (batch) => {
        calls++;
        return batch
          .filter((e) => e.id === "c")
          .map((e) => ({
            id: e.id,
            code: "InvalidParameterValue",
            message: "too big",
            retryable: false,
          }));
      },
      noWait,
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((error as DeadLetterDeliveryError).failed).toEqual([
      { id: "c", code: "InvalidParameterValue", message: "too big" },
    ]);
  });

  it("retries a whole batch when the call itself throws", async () => {
    let calls = 0;
    await sendWithRetries(
      "q",
      entries,
      (e) => [e],
      async () => {
        calls++;
        if (calls === 1) throw new Error("socket hang up");
        return [];
      },
      noWait,
    );
    expect(calls).toBe(2);
  });
});
