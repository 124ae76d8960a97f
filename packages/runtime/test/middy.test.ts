import middy from "@middy/core";
import { describe, expect, it } from "vitest";
import {
  type DeadLetter,
  PoisonRecordError,
  sluiceMiddleware,
  streamHandler,
} from "../src/index.js";
import { batchOf, lambdaContext, memoryLogger, noSleep, seqAt } from "./fixtures.js";

describe("middy middleware", () => {
  it("gives the same response as the plain handler for the same configuration", async () => {
    const letters: DeadLetter[][] = [[], []];
    const config = (n: number) => ({
      pipeline: "p",
      processor: "mw",
      ordering: "per-item" as const,
      retry: { maxAttempts: 2, ...noSleep },
      handle: (event: { meta: { eventId: string } }) => {
        if (event.meta.eventId === "event-1") throw new PoisonRecordError("bad");
        if (event.meta.eventId === "event-2") {
          throw Object.assign(new Error("x"), { name: "ThrottlingException" });
        }
      },
      deadLetter: async (batch: DeadLetter[]) => {
        letters[n]!.push(...batch);
      },
      metrics: false as const,
      logger: memoryLogger().logger,
    });
    const event = batchOf(["a", "b", "c", "c", "d"]);
    const plain = await streamHandler(config(0))(event, lambdaContext());
    const seen: string[] = [];
    const wrapped = middy()
      .use({
        before: (request) => {
          seen.push("before");
          (request.context as unknown as { tenant: string }).tenant = "acme";
        },
      })
      .use(sluiceMiddleware(config(1)));
    const viaMiddy = await wrapped(event, lambdaContext() as never);
    expect(plain).toEqual({ batchItemFailures: [{ itemIdentifier: seqAt(2) }] });
    expect(viaMiddy).toEqual(plain);
    expect(seen).toEqual(["before"]);
    expect(letters[1]!.map((l) => l.record.eventID)).toEqual(["event-1"]);
  });

  it("passes the context that earlier middlewares prepared to the records", async () => {
    const tenants: string[] = [];
    const wrapped = middy()
      .before((request) => {
        (request.context as unknown as { tenant: string }).tenant = "acme";
      })
      .use(
        sluiceMiddleware({
          pipeline: "p",
          handle: (_event, ctx) => {
            tenants.push((ctx.lambda as unknown as { tenant: string }).tenant);
          },
          metrics: false,
          logger: memoryLogger().logger,
        }),
      );
    expect(await wrapped(batchOf(["a", "b"]), lambdaContext() as never)).toEqual({
      batchItemFailures: [],
    });
    expect(tenants).toEqual(["acme", "acme"]);
  });
});
