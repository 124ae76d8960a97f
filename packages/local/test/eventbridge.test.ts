import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeRuleCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { useLocalStack } from "@sluice/local/testing";
import { describe, expect, it } from "vitest";

const local = useLocalStack();
const eventbridge = local.clients.eventbridge;

/** A rule with the pattern on a fresh bus, targeting a fresh queue. */
async function ruleToQueue(pattern: object, options: { fifo?: boolean } = {}) {
  const busName = local.uniqueName("bus");
  await eventbridge.send(new CreateEventBusCommand({ Name: busName }));
  const queue = await local.createQueue(options);
  const ruleName = local.uniqueName("rule");
  await eventbridge.send(
    new PutRuleCommand({
      Name: ruleName,
      EventBusName: busName,
      EventPattern: JSON.stringify(pattern),
    }),
  );
  const targets = await eventbridge.send(
    new PutTargetsCommand({
      Rule: ruleName,
      EventBusName: busName,
      Targets: [{ Id: "queue", Arn: queue.queueArn }],
    }),
  );
  expect(targets.FailedEntryCount).toBe(0);
  return { busName, ruleName, queue };
}

async function queueIsEmpty(queueUrl: string): Promise<boolean> {
  const { Messages } = await local.clients.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }),
  );
  return (Messages ?? []).length === 0;
}

describe("local EventBridge: PutEvents", () => {
  it("delivers a matching event to the SQS target in EventBridge's envelope", async () => {
    const { busName, queue } = await ruleToQueue({
      source: ["shop.orders"],
      "detail-type": ["OrderShipped"],
      detail: { total: [{ numeric: [">", 100] }] },
    });
    const result = await eventbridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: "shop.orders",
            DetailType: "OrderShipped",
            Detail: JSON.stringify({ orderId: "o-1", total: 150 }),
            Resources: ["arn:aws:dynamodb:us-east-1:000000000000:table/Orders"],
            Time: new Date("2026-11-21T10:00:00.000Z"),
          },
          {
            EventBusName: busName,
            Source: "shop.orders",
            DetailType: "OrderShipped",
            Detail: JSON.stringify({ orderId: "o-2", total: 50 }),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const [message] = await local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message!.Body!)).toEqual({
      version: "0",
      id: result.Entries![0]!.EventId,
      "detail-type": "OrderShipped",
      source: "shop.orders",
      account: "000000000000",
      time: "2026-11-21T10:00:00Z",
      region: local.region,
      resources: ["arn:aws:dynamodb:us-east-1:000000000000:table/Orders"],
      detail: { orderId: "o-1", total: 150 },
    });
    // The second event did not match (total 50): nothing else is waiting.
    expect(await queueIsEmpty(queue.queueUrl)).toBe(true);
  });

  it("delivers events on the default bus", async () => {
    const source = local.uniqueName("source");
    const queue = await local.createQueue();
    const ruleName = local.uniqueName("rule");
    await eventbridge.send(
      new PutRuleCommand({ Name: ruleName, EventPattern: JSON.stringify({ source: [source] }) }),
    );
    await eventbridge.send(
      new PutTargetsCommand({ Rule: ruleName, Targets: [{ Id: "q", Arn: queue.queueArn }] }),
    );
    await eventbridge.send(
      new PutEventsCommand({ Entries: [{ Source: source, DetailType: "Ping", Detail: "{}" }] }),
    );
    const [message] = await local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message!.Body!).source).toBe(source);
  });

  it("reports per-entry errors and counts them in FailedEntryCount", async () => {
    const busName = local.uniqueName("bus");
    await eventbridge.send(new CreateEventBusCommand({ Name: busName }));
    const entries: PutEventsRequestEntry[] = [
      { EventBusName: busName, Source: "a", DetailType: "ok", Detail: "{}" },
      { EventBusName: busName, Source: "a", DetailType: "no detail" },
      { EventBusName: busName, Source: "a", DetailType: "bad", Detail: "[1, 2]" },
      { EventBusName: "no-such-bus", Source: "a", DetailType: "lost", Detail: "{}" },
    ];
    const result = await eventbridge.send(new PutEventsCommand({ Entries: entries }));
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries!.slice(1)).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument.",
      },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
      {
        ErrorCode: "ResourceNotFoundException",
        ErrorMessage: "Event bus no-such-bus does not exist.",
      },
    ]);
  });

  it("rejects more than 10 entries", async () => {
    const entries = Array.from({ length: 11 }, () => ({
      Source: "a",
      DetailType: "b",
      Detail: "{}",
    }));
    await expect(
      eventbridge.send(new PutEventsCommand({ Entries: entries })),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("accepts entries up to 1 MB and rejects a request over it", async () => {
    const entry = (detailBytes: number) => ({
      Source: "s",
      DetailType: "d",
      Detail: JSON.stringify({ pad: "x".repeat(detailBytes - 12) }),
    });
    // Source + DetailType + Detail = 1 MiB exactly.
    const atLimit = await eventbridge.send(
      new PutEventsCommand({ Entries: [entry(1024 * 1024 - 2)] }),
    );
    expect(atLimit.FailedEntryCount).toBe(0);
    await expect(
      eventbridge.send(new PutEventsCommand({ Entries: [entry(1024 * 1024 + 1)] })),
    ).rejects.toThrow("Total size of the entries in the request is over the limit.");
  });

  it("delivers to a FIFO queue", async () => {
    const { busName, queue } = await ruleToQueue({ source: ["fifo.test"] }, { fifo: true });
    await eventbridge.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: busName, Source: "fifo.test", DetailType: "x", Detail: '{"n":1}' },
        ],
      }),
    );
    const [message] = await local.receiveMessages(queue.queueUrl, 1);
    expect(JSON.parse(message!.Body!).detail).toEqual({ n: 1 });
  });
});

describe("local EventBridge: buses, rules and targets", () => {
  it("has the default bus and lists created buses", async () => {
    const name = local.uniqueName("bus");
    const { EventBusArn } = await eventbridge.send(new CreateEventBusCommand({ Name: name }));
    expect(EventBusArn).toBe(`arn:aws:events:${local.region}:000000000000:event-bus/${name}`);
    const all = await eventbridge.send(new ListEventBusesCommand({}));
    expect(all.EventBuses?.map((bus) => bus.Name)).toEqual(
      expect.arrayContaining(["default", name]),
    );
    await expect(eventbridge.send(new CreateEventBusCommand({ Name: name }))).rejects.toMatchObject(
      {
        name: "ResourceAlreadyExistsException",
      },
    );
    await eventbridge.send(new DeleteEventBusCommand({ Name: name }));
    const after = await eventbridge.send(new ListEventBusesCommand({ NamePrefix: name }));
    expect(after.EventBuses).toEqual([]);
  });

  it("refuses to delete the default bus", async () => {
    await expect(
      eventbridge.send(new DeleteEventBusCommand({ Name: "default" })),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("stores, lists, describes and deletes rules", async () => {
    const { busName, ruleName, queue } = await ruleToQueue({ source: ["x"] });
    const rules = await eventbridge.send(new ListRulesCommand({ EventBusName: busName }));
    expect(rules.Rules).toEqual([
      {
        Name: ruleName,
        Arn: `arn:aws:events:${local.region}:000000000000:rule/${busName}/${ruleName}`,
        EventBusName: busName,
        EventPattern: '{"source":["x"]}',
        State: "ENABLED",
      },
    ]);
    const described = await eventbridge.send(
      new DescribeRuleCommand({ Name: ruleName, EventBusName: busName }),
    );
    expect(described.State).toBe("ENABLED");
    const targets = await eventbridge.send(
      new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: busName }),
    );
    expect(targets.Targets).toEqual([{ Id: "queue", Arn: queue.queueArn }]);

    await expect(
      eventbridge.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: busName })),
    ).rejects.toThrow("Rule can't be deleted since it has targets.");
    await eventbridge.send(
      new RemoveTargetsCommand({ Rule: ruleName, EventBusName: busName, Ids: ["queue"] }),
    );
    await eventbridge.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: busName }));
    const after = await eventbridge.send(new ListRulesCommand({ EventBusName: busName }));
    expect(after.Rules).toEqual([]);
  });

  it("stops delivering after the target is removed or the rule disabled", async () => {
    const { busName, ruleName, queue } = await ruleToQueue({ source: ["y"] });
    await eventbridge.send(
      new PutRuleCommand({
        Name: ruleName,
        EventBusName: busName,
        EventPattern: JSON.stringify({ source: ["y"] }),
        State: "DISABLED",
      }),
    );
    await eventbridge.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: busName, Source: "y", DetailType: "d", Detail: "{}" }],
      }),
    );
    expect(await queueIsEmpty(queue.queueUrl)).toBe(true);
  });

  it("rejects an invalid event pattern with the reason", async () => {
    await expect(
      eventbridge.send(
        new PutRuleCommand({
          Name: local.uniqueName("rule"),
          EventPattern: '{"source":"not-a-list"}',
        }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidEventPatternException",
      message: expect.stringContaining("source"),
    });
  });

  it("reports a rule that does not exist", async () => {
    await expect(
      eventbridge.send(
        new PutTargetsCommand({
          Rule: "missing",
          Targets: [{ Id: "a", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("fails targets that are not SQS queues, per target", async () => {
    const ruleName = local.uniqueName("rule");
    await eventbridge.send(
      new PutRuleCommand({ Name: ruleName, EventPattern: '{"source":["z"]}' }),
    );
    const result = await eventbridge.send(
      new PutTargetsCommand({
        Rule: ruleName,
        Targets: [{ Id: "fn", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f" }],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    expect(result.FailedEntries?.[0]).toMatchObject({
      TargetId: "fn",
      ErrorCode: "ValidationException",
    });
  });
});
