import { type DeliveryFailure, isSqsArn, type SqsDelivery } from "./delivery.js";
import { EventBridgeError, validation } from "./errors.js";
import {
  type EntryResult,
  entrySize,
  MAX_ENTRIES,
  MAX_ENTRY_BYTES,
  type PutEventsEntry,
  toEnvelope,
} from "./put-events.js";
import { describeRule, type EventBridgeStore, type Target } from "./store.js";

type Input = Record<string, unknown>;
type Handler = (input: Input) => Promise<unknown> | unknown;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The operations of the local EventBridge, keyed by the name after `AWSEvents.`. */
export function createOperations(
  store: EventBridgeStore,
  delivery: SqsDelivery,
  failures: DeliveryFailure[],
): Record<string, Handler> {
  const putEvents = async (input: Input) => {
    const entries = (input.Entries ?? []) as PutEventsEntry[];
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const total = entries.reduce((sum, entry) => sum + entrySize(entry), 0);
    if (total > MAX_ENTRY_BYTES) {
      throw validation("Total size of the entries in the request is over the limit.");
    }
    const results: EntryResult[] = [];
    for (const entry of entries) {
      const built = toEnvelope(entry, store.region);
      if ("error" in built) {
        results.push(built.error);
        continue;
      }
      let bus: ReturnType<EventBridgeStore["bus"]>;
      try {
        bus = store.bus(entry.EventBusName);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results.push({ ErrorCode: "ResourceNotFoundException", ErrorMessage: message });
        continue;
      }
      const { envelope } = built;
      for (const rule of bus.rules.values()) {
        if (rule.State !== "ENABLED" || !rule.matches(envelope)) continue;
        for (const target of rule.targets.values()) {
          // Delivered before the response, so a test can read the queue right after PutEvents.
          await delivery.deliver(target, envelope).catch((error: unknown) => {
            failures.push({
              ruleArn: rule.Arn,
              targetId: target.Id,
              eventId: envelope.id,
              error: error instanceof Error ? error.message : String(error),
            });
          });
        }
      }
      results.push({ EventId: envelope.id });
    }
    return {
      FailedEntryCount: results.filter((result) => "ErrorCode" in result).length,
      Entries: results,
    };
  };

  const putTargets = (input: Input) => {
    const rule = store.rule(str(input.Rule) ?? "", str(input.EventBusName));
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    for (const target of (input.Targets ?? []) as Target[]) {
      if (!isSqsArn(target.Arn ?? "")) {
        failed.push({
          TargetId: target.Id,
          ErrorCode: "ValidationException",
          ErrorMessage: `Target ${target.Arn} is not supported: the local EventBridge delivers to SQS queue ARNs only.`,
        });
        continue;
      }
      rule.targets.set(target.Id, target);
    }
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  };

  return {
    PutEvents: putEvents,
    CreateEventBus: (input) => ({ EventBusArn: store.createBus(str(input.Name) ?? "").Arn }),
    DeleteEventBus: (input) => {
      store.deleteBus(str(input.Name) ?? "");
      return {};
    },
    DescribeEventBus: (input) => {
      const bus = store.bus(str(input.Name));
      return { Name: bus.Name, Arn: bus.Arn };
    },
    ListEventBuses: (input) => ({
      EventBuses: store
        .listBuses(str(input.NamePrefix))
        .map((bus) => ({ Name: bus.Name, Arn: bus.Arn })),
    }),
    PutRule: (input) => ({ RuleArn: store.putRule(input as never).Arn }),
    DescribeRule: (input) =>
      describeRule(store.rule(str(input.Name) ?? "", str(input.EventBusName))),
    DeleteRule: (input) => {
      store.deleteRule(str(input.Name) ?? "", str(input.EventBusName));
      return {};
    },
    ListRules: (input) => ({
      Rules: store.listRules(str(input.EventBusName), str(input.NamePrefix)).map(describeRule),
    }),
    PutTargets: putTargets,
    RemoveTargets: (input) => {
      const rule = store.rule(str(input.Rule) ?? "", str(input.EventBusName));
      for (const id of (input.Ids ?? []) as string[]) rule.targets.delete(id);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (input) => ({
      Targets: [...store.rule(str(input.Rule) ?? "", str(input.EventBusName)).targets.values()],
    }),
  };
}

export function unknownOperation(target: string): EventBridgeError {
  return new EventBridgeError(
    "UnknownOperationException",
    `${target} is not supported by the local EventBridge (PutEvents, event buses, rules and SQS targets are).`,
  );
}
