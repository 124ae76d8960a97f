import {
  CreateEventBusCommand,
  EventBridgeClient,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import type { LocalTestStack } from "@sluice/local/testing";
import type { ChangeEvent } from "@sluice/records";
import { PoisonRecordError } from "@sluice/runtime";
import type { PublishedEvent } from "../src/publish-events/index.js";

/** An SQS message as the local stack returns it (the SQS client is not a dependency here). */
type Message = Awaited<ReturnType<LocalTestStack["receiveMessages"]>>[number];

/** The per-entry failure a fault plan gives an entry of one PutEvents call, or none. */
export type EntryFault = "ThrottlingException" | "InternalFailure" | "InvalidArgument";

export interface FaultPlan {
  /** Per entry of the call numbered `call` (1-based): fail it without sending it, or not. */
  entry?: (entry: PutEventsRequestEntry, call: number) => EntryFault | undefined;
  /** Let the call reach the server, then lose its response (a connection reset). */
  loseResponse?: (call: number) => boolean;
}

export interface RecordingClient {
  client: EventBridgeClient;
  /** The entries of every PutEvents request that reached the server, in order. */
  calls: PutEventsRequestEntry[][];
  /** Calls whose response the plan dropped, by number (1-based, as `calls` counts). */
  lostCalls: number[];
  /** What the server received of each call (the entries the plan did not fail), and whether its response was lost. */
  received: { entries: PutEventsRequestEntry[]; lost: boolean }[];
}

/**
 * An EventBridge client for the local server that records every PutEvents request and applies a
 * fault plan for what a server cannot be made to do: fail chosen entries (they are taken out of
 * the request, and the real response gets an error result in their place) and lose a response
 * after the server applied the call.
 */
export function recordingClient(local: LocalTestStack, plan: FaultPlan = {}): RecordingClient {
  // The SDK's own retries would hide the calls from `putEvents`' retry loop under test.
  const client = new EventBridgeClient({
    region: local.region,
    credentials: local.credentials,
    endpoint: local.endpoints.eventbridge,
    maxAttempts: 1,
  });
  const calls: PutEventsRequestEntry[][] = [];
  const lostCalls: number[] = [];
  const received: RecordingClient["received"] = [];
  let callNumber = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== "PutEventsCommand") return next(args);
      const call = ++callNumber;
      const input = args.input as { Entries: PutEventsRequestEntry[] };
      const faults = input.Entries.map((entry) => plan.entry?.(entry, call));
      const sent = input.Entries.filter((_, i) => !faults[i]);
      calls.push(input.Entries);
      let output: PutEventsCommandOutput | undefined;
      const lost = plan.loseResponse?.(call) ?? false;
      if (sent.length > 0) {
        const result = await next({ ...args, input: { ...input, Entries: sent } });
        output = result.output as PutEventsCommandOutput;
        received.push({ entries: sent, lost });
      }
      if (lost) {
        lostCalls.push(call);
        throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
      }
      const real = [...(output?.Entries ?? [])];
      const entries: PutEventsResultEntry[] = faults.map((fault) =>
        fault ? { ErrorCode: fault, ErrorMessage: `Injected ${fault}` } : real.shift()!,
      );
      return {
        response: {},
        output: {
          $metadata: output?.$metadata ?? {},
          FailedEntryCount: entries.filter((entry) => entry.ErrorCode).length,
          Entries: entries,
        },
      };
    },
    // Above serialization, so the plan sees and rewrites the command's input and output.
    { step: "initialize", name: "putEventsFaults" },
  );
  return { client, calls, lostCalls, received };
}

export interface TestBus {
  eventBusName: string;
  /** The next `count` messages a rule delivered to its queue; fails if fewer arrive. */
  receive(queue: "all" | "shipped", count: number): Promise<Message[]>;
  /** Fails if the queue holds another message (waits about a second for one). */
  expectEmpty(queue: "all" | "shipped"): Promise<void>;
  /** At least `count` messages, then every further one until the queue is empty. */
  receiveAll(queue: "all" | "shipped", count: number): Promise<Message[]>;
}

/**
 * A fresh bus with two rules: every event of `source` to one queue, OrderShipped events to
 * another.
 */
export async function createTestBus(local: LocalTestStack, source: string): Promise<TestBus> {
  const eventBusName = local.uniqueName("bus");
  const eventbridge = local.clients.eventbridge;
  await eventbridge.send(new CreateEventBusCommand({ Name: eventBusName }));
  const queues = { all: await local.createQueue(), shipped: await local.createQueue() };
  const rules = [
    { name: "all", queue: queues.all, pattern: { source: [source] } },
    {
      name: "shipped",
      queue: queues.shipped,
      pattern: { source: [source], "detail-type": ["OrderShipped"] },
    },
  ];
  for (const rule of rules) {
    await eventbridge.send(
      new PutRuleCommand({
        Name: rule.name,
        EventBusName: eventBusName,
        EventPattern: JSON.stringify(rule.pattern),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: rule.name,
        EventBusName: eventBusName,
        Targets: [{ Id: "queue", Arn: rule.queue.queueArn }],
      }),
    );
  }
  const receive = async (queue: "all" | "shipped", count: number): Promise<Message[]> =>
    count === 0 ? [] : local.receiveMessages(queues[queue].queueUrl, count);
  const expectEmpty = async (queue: "all" | "shipped") => {
    // Received messages stay invisible for 5 minutes, so any message found now is an extra one.
    const extra = await local
      .receiveMessages(queues[queue].queueUrl, 1, { timeoutMs: 0 })
      .then((messages) => messages.map((m) => m.Body))
      .catch(() => []);
    if (extra.length > 0) throw new Error(`Unexpected message on ${queue}: ${extra[0]}`);
  };
  const receiveAll = async (queue: "all" | "shipped", count: number) => {
    const messages = await receive(queue, count);
    for (;;) {
      const more = await local
        .receiveMessages(queues[queue].queueUrl, 1, { timeoutMs: 0 })
        .catch((): Message[] => []);
      if (more.length === 0) return messages;
      messages.push(...more);
    }
  };
  return { eventBusName, receive, expectEmpty, receiveAll };
}

/** The envelope EventBridge delivers, as a target receives it. */
export interface DeliveredEvent {
  id: string;
  source: string;
  "detail-type": string;
  time: string;
  resources: string[];
  detail: Record<string, unknown> & { "sluice-event-id": string };
}

export const envelopes = (messages: Message[]): DeliveredEvent[] =>
  messages.map((message) => JSON.parse(message.Body!) as DeliveredEvent);

export const sluiceIds = (messages: Message[]): string[] =>
  envelopes(messages).map((event) => event.detail["sluice-event-id"]);

/** An order of the example shop, as the stream decodes it. */
export interface Order {
  PK: string;
  SK: string;
  orderId: string;
  customerId: string;
  status: string;
  total: number;
  version: number;
}

export const ORDER_STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"];

/**
 * The example shop's events: OrderStatusChanged when an order's status changes, and OrderShipped
 * too when it becomes "shipped". An unknown status is poison: it can never be published.
 */
export function orderEvents(change: ChangeEvent<Order>): PublishedEvent[] | undefined {
  const { oldImage: before, newImage: after } = change;
  if (change.kind !== "modify" || !before || !after || before.status === after.status) {
    return undefined;
  }
  if (!ORDER_STATUSES.includes(after.status)) {
    throw new PoisonRecordError(`Order ${after.orderId} has an unknown status "${after.status}"`);
  }
  const order = { orderId: after.orderId, customerId: after.customerId, version: after.version };
  return [
    {
      detailType: "OrderStatusChanged",
      detail: { ...order, from: before.status, to: after.status },
    },
    ...(after.status === "shipped"
      ? [{ detailType: "OrderShipped", detail: { ...order, total: after.total } }]
      : []),
  ];
}
