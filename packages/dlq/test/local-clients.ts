import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { LocalTestStack } from "@sluice/local/testing";

/**
 * A fresh client whose requests lose chosen entries the first time they are sent, reported back
 * as failed the way SQS and EventBridge report partial failures. The local servers cannot be made
 * to fail one entry of a batch on demand.
 */
export function sqsFailingEntriesOnce(stack: LocalTestStack, failing: (body: string) => boolean) {
  const sqs = new SQSClient({
    region: stack.region,
    credentials: stack.credentials,
    endpoint: stack.endpoints.sqs,
  });
  const failedOnce = new Set<string>();
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Entries?: { Id: string; MessageBody: string }[] };
      const dropped = (input.Entries ?? []).filter(
        (e) => failing(e.MessageBody) && !failedOnce.has(e.MessageBody),
      );
      for (const e of dropped) failedOnce.add(e.MessageBody);
      input.Entries = (input.Entries ?? []).filter((e) => !dropped.includes(e));
      const result = await next(args);
      const output = result.output as { Failed?: unknown[] };
      output.Failed = [
        ...(output.Failed ?? []),
        ...dropped.map((e) => ({
          Id: e.Id,
          SenderFault: false,
          Code: "InternalError",
          Message: "injected",
        })),
      ];
      return result;
    },
    { step: "initialize", name: "failEntriesOnce" },
  );
  return sqs;
}

/** As above for PutEvents: chosen entries fail once with InternalFailure. */
export function eventBridgeFailingEntriesOnce(
  stack: LocalTestStack,
  failing: (detail: string) => boolean,
) {
  const eventBridge = new EventBridgeClient({
    region: stack.region,
    credentials: stack.credentials,
    endpoint: stack.endpoints.eventbridge,
  });
  const failedOnce = new Set<string>();
  eventBridge.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Entries: { Detail: string }[] };
      const all = input.Entries;
      const dropped = new Set(all.filter((e) => failing(e.Detail) && !failedOnce.has(e.Detail)));
      for (const e of dropped) failedOnce.add(e.Detail);
      input.Entries = all.filter((e) => !dropped.has(e));
      const result = await next(args);
      const output = result.output as { Entries?: unknown[]; FailedEntryCount?: number };
      const sent = [...(output.Entries ?? [])];
      // Results line up with the request: put the failures back where their entries were.
      output.Entries = all.map((e) =>
        dropped.has(e) ? { ErrorCode: "InternalFailure", ErrorMessage: "injected" } : sent.shift(),
      );
      output.FailedEntryCount = (output.FailedEntryCount ?? 0) + dropped.size;
      return result;
    },
    { step: "initialize", name: "failEntriesOnce" },
  );
  return eventBridge;
}
