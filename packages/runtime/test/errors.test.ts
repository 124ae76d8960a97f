import { SluiceDecodeError } from "@sluice/records";
import { describe, expect, it } from "vitest";
import { createClassifier, PoisonRecordError, permanent, transient } from "../src/index.js";

const aws = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("error classification", () => {
  const classify = createClassifier();

  it.each([
    ["a decode error", new SluiceDecodeError("INVALID_NUMBER", "bad number"), "permanent"],
    ["a poison record", new PoisonRecordError("no customer"), "permanent"],
    ["a Standard Schema failure", Object.assign(new Error("x"), { issues: [] }), "permanent"],
    ["an AWS ValidationException", aws("ValidationException", 400), "permanent"],
    ["an error marked permanent", permanent(new Error("bounce")), "permanent"],
    ["a thrown string marked permanent", permanent("nope"), "permanent"],
    [
      "ProvisionedThroughputExceeded",
      aws("ProvisionedThroughputExceededException", 400),
      "transient",
    ],
    ["ThrottlingException", aws("ThrottlingException", 400), "transient"],
    ["RequestLimitExceeded", aws("RequestLimitExceeded", 400), "transient"],
    ["HTTP 429", aws("TooManyRequests", 429), "transient"],
    ["a 5xx", aws("InternalServerError", 500), "transient"],
    [
      "an SDK fault marked server",
      Object.assign(new Error("x"), { $fault: "server" }),
      "transient",
    ],
    ["a retryable SDK error", Object.assign(new Error("x"), { $retryable: {} }), "transient"],
    ["ECONNRESET", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
    ["ETIMEDOUT", Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }), "transient"],
    ["a TimeoutError", Object.assign(new Error("slow"), { name: "TimeoutError" }), "transient"],
    ["an AbortError", Object.assign(new Error("aborted"), { name: "AbortError" }), "transient"],
    [
      "a wrapped network error",
      new Error("fetch failed", { cause: { code: "ECONNREFUSED" } }),
      "transient",
    ],
    ["an error marked transient", transient(new PoisonRecordError("not really")), "transient"],
    ["an unknown error", new TypeError("undefined is not a function"), "transient"],
    ["a thrown string", "oops", "transient"],
  ])("%s is %s", (_name, error, expected) => {
    expect(classify(error)).toBe(expected);
  });

  it("asks the user's classifiers first and falls back when they return undefined", () => {
    class PaymentDeclined extends Error {}
    const classify = createClassifier([
      (error) => (error instanceof PaymentDeclined ? "permanent" : undefined),
      (error) => (error instanceof PoisonRecordError ? "transient" : undefined),
    ]);
    expect(classify(new PaymentDeclined())).toBe("permanent");
    expect(classify(new PoisonRecordError("retry it anyway"))).toBe("transient");
    expect(classify(aws("ThrottlingException", 400))).toBe("transient");
  });

  it("lets unknown errors default to permanent when asked", () => {
    expect(createClassifier([], "permanent")(new Error("?"))).toBe("permanent");
    expect(createClassifier([], "permanent")(aws("ThrottlingException", 400))).toBe("transient");
  });
});
