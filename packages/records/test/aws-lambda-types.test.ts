import type { DynamoDBStreamEvent as AwsLambdaStreamEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { decode, decodeLambdaEvent, decodeRecords } from "../src/index.js";
import { fixture } from "./fixtures/load.js";

// Handlers are usually typed with @types/aws-lambda; its event must be accepted as it is.
describe("@types/aws-lambda events", () => {
  it("are accepted by decodeLambdaEvent, decodeRecords and decode", () => {
    const event = fixture<AwsLambdaStreamEvent>("lambda-event.json");
    expect(decodeLambdaEvent(event).events).toHaveLength(4);
    expect(decodeRecords(event.Records).events).toHaveLength(4);
    expect(decode(event).events).toHaveLength(4);
  });
});
