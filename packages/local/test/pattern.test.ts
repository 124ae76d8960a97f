import { describe, expect, it } from "vitest";
import { compilePattern, InvalidPatternError, matchesPattern } from "../src/pattern.js";

// Patterns and events below are the examples of the EventBridge user guide (event patterns,
// content filtering, comparison operators, arrays, null values) and of the Lambda guide on
// filtering DynamoDB events.

const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

const detail = (fields: Record<string, unknown>) => ({ ...ec2Event, detail: fields });

describe("exact values", () => {
  it("matches the EC2 termination pattern and not another state", () => {
    const pattern = {
      source: ["aws.ec2"],
      "detail-type": ["EC2 Instance State-change Notification"],
      detail: { state: ["terminated"] },
    };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, detail({ state: "running" }))).toBe(false);
  });

  it("ORs the values of a field (PaymentType is Credit or Debit)", () => {
    const match = compilePattern({ PaymentType: ["Credit", "Debit"] });
    expect(match({ PaymentType: "Debit" })).toBe(true);
    expect(match({ PaymentType: "Cash" })).toBe(false);
  });

  it("ANDs the fields (Location is New York and Day is Monday)", () => {
    const match = compilePattern({ Location: ["New York"], Day: ["Monday"] });
    expect(match({ Location: "New York", Day: "Monday" })).toBe(true);
    expect(match({ Location: "New York", Day: "Tuesday" })).toBe(false);
  });

  it("matches an event array when it shares a value with the pattern", () => {
    const pattern = {
      resources: [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
        "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
      ],
    };
    const event = {
      resources: [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
      ],
    };
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it("tells empty strings and null apart", () => {
    const event = { detail: { eventVersion: "", responseElements: null } };
    expect(matchesPattern({ detail: { eventVersion: [""] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { responseElements: [""] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
  });

  it("matches numbers and booleans by value and type", () => {
    expect(matchesPattern({ Price: [100] }, { Price: 100 })).toBe(true);
    expect(matchesPattern({ Price: [100] }, { Price: "100" })).toBe(false);
    expect(matchesPattern({ Active: [true] }, { Active: true })).toBe(true);
    expect(matchesPattern({ Active: [true] }, { Active: "true" })).toBe(false);
  });
});

describe("prefix and suffix", () => {
  it("matches a time prefix", () => {
    const pattern = { time: [{ prefix: "2017-10-02" }] };
    expect(matchesPattern(pattern, { time: "2017-10-02T18:43:48Z" })).toBe(true);
    expect(matchesPattern(pattern, { time: "2017-10-03T18:43:48Z" })).toBe(false);
  });

  it("matches Auto Scaling events from European regions", () => {
    const pattern = { source: ["aws.autoscaling"], region: [{ prefix: "eu-" }] };
    expect(matchesPattern(pattern, { source: "aws.autoscaling", region: "eu-west-1" })).toBe(true);
    expect(matchesPattern(pattern, { source: "aws.autoscaling", region: "us-east-1" })).toBe(false);
  });

  it("matches a prefix ignoring case", () => {
    const pattern = { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } };
    for (const service of ["EventBridge", "EVENTBRIDGE", "eventbridge"]) {
      expect(matchesPattern(pattern, { detail: { service } })).toBe(true);
    }
    expect(matchesPattern(pattern, { detail: { service: "Lambda" } })).toBe(false);
  });

  it("matches a file extension suffix", () => {
    const pattern = { FileName: [{ suffix: ".png" }] };
    expect(matchesPattern(pattern, { FileName: "image.png" })).toBe(true);
    expect(matchesPattern(pattern, { FileName: "image.PNG" })).toBe(false);
  });

  it("matches a suffix ignoring case", () => {
    const pattern = { detail: { FileName: [{ suffix: { "equals-ignore-case": ".png" } }] } };
    expect(matchesPattern(pattern, { detail: { FileName: "photo.PNG" } })).toBe(true);
    const tbridge = { service: [{ suffix: { "equals-ignore-case": "tBridge" } }] };
    expect(matchesPattern(tbridge, { service: "EVENTBRIDGE" })).toBe(true);
    expect(matchesPattern(tbridge, { service: "bridges" })).toBe(false);
  });

  it("applies prefix and suffix to strings only", () => {
    expect(matchesPattern({ n: [{ prefix: "1" }] }, { n: 123 })).toBe(false);
  });
});

describe("anything-but", () => {
  it("excludes a string and a number", () => {
    const state = { detail: { state: [{ "anything-but": "initializing" }] } };
    expect(matchesPattern(state, detail({ state: "running" }))).toBe(true);
    expect(matchesPattern(state, detail({ state: "initializing" }))).toBe(false);
    const limit = { detail: { "x-limit": [{ "anything-but": 123 }] } };
    expect(matchesPattern(limit, detail({ "x-limit": 124 }))).toBe(true);
    expect(matchesPattern(limit, detail({ "x-limit": 123 }))).toBe(false);
  });

  it("excludes a list of strings and a list of numbers", () => {
    const states = { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } };
    expect(matchesPattern(states, detail({ state: "running" }))).toBe(true);
    expect(matchesPattern(states, detail({ state: "overloaded" }))).toBe(false);
    const limits = { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } };
    expect(matchesPattern(limits, detail({ "x-limit": 150 }))).toBe(true);
    expect(matchesPattern(limits, detail({ "x-limit": 200 }))).toBe(false);
  });

  it("Weather is anything but Raining", () => {
    const pattern = { Weather: [{ "anything-but": ["Raining"] }] };
    expect(matchesPattern(pattern, { Weather: "Sunny" })).toBe(true);
    expect(matchesPattern(pattern, { Weather: "Raining" })).toBe(false);
  });

  it("excludes a prefix (Region is not in the US) and a suffix", () => {
    const notUs = { Region: [{ "anything-but": { prefix: "us-" } }] };
    expect(matchesPattern(notUs, { Region: "eu-west-1" })).toBe(true);
    expect(matchesPattern(notUs, { Region: "us-east-1" })).toBe(false);
    const init = { detail: { state: [{ "anything-but": { prefix: "init" } }] } };
    expect(matchesPattern(init, detail({ state: "initializing" }))).toBe(false);
    const notPng = { FileName: [{ "anything-but": { suffix: ".png" } }] };
    expect(matchesPattern(notPng, { FileName: "a.jpg" })).toBe(true);
    expect(matchesPattern(notPng, { FileName: "a.png" })).toBe(false);
  });

  it("excludes values ignoring case", () => {
    const pattern = { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] };
    expect(matchesPattern(pattern, { state: "INITIALIZING" })).toBe(false);
    expect(matchesPattern(pattern, { state: "running" })).toBe(true);
    const list = {
      state: [{ "anything-but": { "equals-ignore-case": ["initializing", "stopped"] } }],
    };
    expect(matchesPattern(list, { state: "Stopped" })).toBe(false);
  });

  it("excludes a wildcard (FilePath does not include /lib/)", () => {
    const pattern = { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] };
    expect(matchesPattern(pattern, { FilePath: "/usr/bin/tool" })).toBe(true);
    expect(matchesPattern(pattern, { FilePath: "/usr/lib/tool" })).toBe(false);
  });

  it("does not match an absent field", () => {
    expect(matchesPattern({ state: [{ "anything-but": "x" }] }, {})).toBe(false);
  });
});

describe("numeric", () => {
  it("matches the documented ranges only when every field holds", () => {
    const pattern = {
      detail: {
        "c-count": [{ numeric: [">", 0, "<=", 5] }],
        "d-count": [{ numeric: ["<", 10] }],
        "x-limit": [{ numeric: ["=", 3.018e2] }],
      },
    };
    expect(
      matchesPattern(pattern, { detail: { "c-count": 5, "d-count": 9, "x-limit": 301.8 } }),
    ).toBe(true);
    expect(
      matchesPattern(pattern, { detail: { "c-count": 0, "d-count": 9, "x-limit": 301.8 } }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, { detail: { "c-count": 5, "d-count": 10, "x-limit": 301.8 } }),
    ).toBe(false);
    expect(
      matchesPattern(pattern, { detail: { "c-count": 5, "d-count": 9, "x-limit": 301 } }),
    ).toBe(false);
  });

  it("Price is 100; Price is more than 10 and at most 20", () => {
    expect(matchesPattern({ Price: [{ numeric: ["=", 100] }] }, { Price: 100 })).toBe(true);
    const range = compilePattern({ Price: [{ numeric: [">", 10, "<=", 20] }] });
    expect([10, 10.5, 20, 20.5].map((Price) => range({ Price }))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });

  it("works on JSON numbers only", () => {
    expect(matchesPattern({ Price: [{ numeric: [">", 10] }] }, { Price: "11" })).toBe(false);
  });
});

describe("exists", () => {
  const exists = { ProductName: [{ exists: true }] };
  const absent = { ProductName: [{ exists: false }] };

  it("ProductName exists / does not exist", () => {
    expect(matchesPattern(exists, { ProductName: "x" })).toBe(true);
    expect(matchesPattern(exists, {})).toBe(false);
    expect(matchesPattern(absent, {})).toBe(true);
    expect(matchesPattern(absent, { ProductName: "x" })).toBe(false);
  });

  it("treats a field that is not a leaf as absent", () => {
    const pattern = { detail: { "c-count": [{ exists: false }] } };
    const base = {
      "detail-type": ["EC2 Instance State-change Notification"],
      resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
    };
    expect(
      matchesPattern(pattern, { ...base, detail: { state: ["initializing", "running"] } }),
    ).toBe(true);
    expect(
      matchesPattern(pattern, {
        ...base,
        detail: { state: ["initializing", "running"], "c-count": { c1: 100 } },
      }),
    ).toBe(true);
    expect(matchesPattern(pattern, { ...base, detail: { "c-count": 1 } })).toBe(false);
  });
});

describe("equals-ignore-case and wildcard", () => {
  it("Name is Alice in any case", () => {
    const pattern = { Name: [{ "equals-ignore-case": "alice" }] };
    expect(matchesPattern(pattern, { Name: "ALICE" })).toBe(true);
    expect(matchesPattern(pattern, { Name: "Alicia" })).toBe(false);
  });

  it("any .png file within the folder dir", () => {
    const pattern = { FileName: [{ wildcard: "dir/*.png" }] };
    expect(matchesPattern(pattern, { FileName: "dir/photo.png" })).toBe(true);
    expect(matchesPattern(pattern, { FileName: "dir/sub/photo.png" })).toBe(true);
    expect(matchesPattern(pattern, { FileName: "other/photo.png" })).toBe(false);
    expect(matchesPattern(pattern, { FileName: "dir/photo.jpg" })).toBe(false);
  });

  it("matches zero characters, several stars and escaped stars", () => {
    expect(matchesPattern({ t: [{ wildcard: "*Title*" }] }, { t: "Title" })).toBe(true);
    expect(matchesPattern({ t: [{ wildcard: "*Title*" }] }, { t: "My Title here" })).toBe(true);
    expect(matchesPattern({ t: [{ wildcard: "a\\*b" }] }, { t: "a*b" })).toBe(true);
    expect(matchesPattern({ t: [{ wildcard: "a\\*b" }] }, { t: "axb" })).toBe(false);
  });

  it("rejects consecutive stars", () => {
    expect(() => compilePattern({ t: [{ wildcard: "a**b" }] })).toThrow(/consecutive/);
  });
});

describe("$or", () => {
  it("Location is New York, or Day is Monday", () => {
    const match = compilePattern({ $or: [{ Location: ["New York"] }, { Day: ["Monday"] }] });
    expect(match({ Location: "Boston", Day: "Monday" })).toBe(true);
    expect(match({ Location: "New York", Day: "Friday" })).toBe(true);
    expect(match({ Location: "Boston", Day: "Friday" })).toBe(false);
  });

  it("ORs numeric conditions inside detail", () => {
    const match = compilePattern({
      detail: {
        $or: [
          { "c-count": [{ numeric: [">", 0, "<=", 5] }] },
          { "d-count": [{ numeric: ["<", 10] }] },
          { "x-limit": [{ numeric: ["=", 3.018e2] }] },
        ],
      },
    });
    expect(match({ detail: { "x-limit": 301.8 } })).toBe(true);
    expect(match({ detail: { "c-count": 50, "d-count": 50 } })).toBe(false);
  });

  it("combines with sibling fields", () => {
    const match = compilePattern({
      source: ["aws.cloudwatch"],
      $or: [
        { metricName: ["CPUUtilization", "ReadLatency"] },
        { namespace: ["AWS/EC2", "AWS/ES"] },
      ],
    });
    expect(match({ source: "aws.cloudwatch", namespace: "AWS/ES" })).toBe(true);
    expect(match({ source: "aws.ec2", namespace: "AWS/ES" })).toBe(false);
  });
});

describe("DynamoDB stream records (Lambda FilterCriteria)", () => {
  const record = {
    eventID: "1",
    eventVersion: "1.0",
    eventName: "REMOVE",
    userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
    dynamodb: {
      ApproximateCreationDateTime: 1678831218,
      Keys: { PK: { S: "CUSTOMER#1" }, SK: { S: "ORDER#42" } },
      OldImage: {
        AccountManager: { S: "Pat Candella" },
        PaymentTerms: { S: "60 days" },
        total: { N: "12.5" },
      },
      SequenceNumber: "111",
      SizeBytes: 26,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };

  it("selects TTL deletions by userIdentity", () => {
    const ttl = compilePattern({
      userIdentity: { type: ["Service"], principalId: ["dynamodb.amazonaws.com"] },
    });
    expect(ttl(record)).toBe(true);
    expect(ttl({ ...record, userIdentity: undefined })).toBe(false);
  });

  it("selects by key prefix on typed values", () => {
    const orders = compilePattern({ dynamodb: { Keys: { SK: { S: [{ prefix: "ORDER#" }] } } } });
    expect(orders(record)).toBe(true);
    expect(
      orders({ ...record, dynamodb: { ...record.dynamodb, Keys: { SK: { S: "PROFILE" } } } }),
    ).toBe(false);
  });

  it("accepts the Pattern string of FilterCriteria", () => {
    const pattern =
      '{ "dynamodb" : { "OldImage" : { "AccountManager" : { "S" : [ "Pat Candella", "Shirley Rodriguez" ] } } } }';
    expect(matchesPattern(pattern, record)).toBe(true);
  });
});

describe("validation", () => {
  const invalid: [string, unknown][] = [
    ["not JSON", "{nope"],
    ["a bare value", { source: "aws.ec2" }],
    ["an empty list", { source: [] }],
    ["an unknown operator", { source: [{ contains: "x" }] }],
    ["two operators in one object", { source: [{ prefix: "a", suffix: "b" }] }],
    ["numeric with a wrong order", { n: [{ numeric: ["<", 5, ">", 0] }] }],
    ["numeric with a string bound", { n: [{ numeric: [">", "0"] }] }],
    ["exists with a string", { n: [{ exists: "yes" }] }],
    ["anything-but with mixed types", { n: [{ "anything-but": ["a", 1] }] }],
    ["$or with one option", { $or: [{ a: ["x"] }] }],
  ];
  it.each(invalid)("rejects %s with InvalidPatternError", (_name, pattern) => {
    expect(() => compilePattern(pattern as never)).toThrow(InvalidPatternError);
  });

  it("names the field in the error", () => {
    expect(() => compilePattern({ detail: { state: [{ prefix: 1 }] } })).toThrow(
      'Invalid event pattern at detail.state: "prefix" needs a string',
    );
  });
});
