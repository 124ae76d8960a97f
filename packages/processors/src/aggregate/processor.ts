import {
  type DynamoDBClient,
  TransactionCanceledException,
  type TransactWriteItem,
} from "@aws-sdk/client-dynamodb";
import type { ChangeEvent, Item } from "@sluice/records";
import { type BatchProcessor, type ProcessContext, transactWithCheckpoint } from "@sluice/runtime";
import { type AggregateDefinition, checkDefinition, deltaOf, itemIdOf } from "./contribution.js";
import { AggregateInputError } from "./errors.js";
import { groupWithinLimits, type Planned } from "./groups.js";
import { merge, unwritable, updatesOf } from "./pre-aggregate.js";
import { heldBack, pastDeadline, Results } from "./results.js";

export interface AggregateOptions<T = Item> extends AggregateDefinition<T> {
  /** The aggregates table (`aggregateTableInput` creates one). */
  table: string;
  /**
   * Writes the deltas when the runtime offers no `ctx.commit` (no DynamoDB checkpoint store, or
   * a replay, which bypasses checkpoints). With one, the transaction goes through the checkpoint
   * store's client, which must reach this table (same account and Region).
   */
  client: DynamoDBClient;
}

interface Step extends Planned {
  /** Position in the events given to `process`. */
  index: number;
}

/**
 * Keeps declared measures per key (and time bucket) exactly right: an insert adds the item's
 * contribution, a modify moves it, a remove takes it back. The batch is summed in memory to one
 * ADD per aggregate item, committed with the items' checkpoints in one transaction.
 */
export function aggregate<T = Item>(options: AggregateOptions<T>): BatchProcessor<T> {
  checkDefinition(options);
  return {
    name: options.name,
    // Every change, with or without an effect, is committed with its watermark: the runtime can
    // skip the up-front read, and a first delivery costs one request.
    checkpointRead: "on-conflict",
    async process(events, ctx) {
      const results = new Results(events.length);
      const steps: Step[] = [];
      for (const [index, event] of events.entries()) {
        const step = { index, itemId: itemIdOf(event) };
        try {
          if (results.waits(step)) throw heldBack();
          steps.push({ ...step, delta: deltaOf(event, options, step.itemId) });
        } catch (error) {
          results.fail(step, error);
        }
      }
      // A write DynamoDB refuses (a stored sum past 38 digits, an item past 400 KB) fails the
      // whole transaction: halve the group until the changes behind it stand alone.
      const commitSteps = async (group: Step[]): Promise<void> => {
        if (ctx.signal.aborted) {
          for (const step of group) results.fail(step, pastDeadline());
          return;
        }
        const { live, writes } = writesOf(group, events, options.table, results);
        if (live.length === 0) return;
        try {
          await commit(
            ctx,
            options,
            writes,
            live.map((step) => events[step.index]!),
          );
        } catch (error) {
          if (!isRefusedWrite(error)) {
            for (const step of live) results.fail(step, error);
          } else if (live.length === 1) {
            const [step] = live as [Step];
            const detail = `DynamoDB refused the aggregate's write: ${(error as Error).message}`;
            results.fail(
              step,
              new AggregateInputError("WRITE_REFUSED", detail, events[step.index]!, undefined, {
                cause: error,
              }),
            );
          } else {
            const middle = Math.ceil(live.length / 2);
            await commitSteps(live.slice(0, middle));
            await commitSteps(live.slice(middle));
          }
        }
      };
      for (const group of groupWithinLimits(steps)) await commitSteps(group);
      return results.list;
    },
  };
}

/**
 * The group's writes, after failing the changes that feed a sum DynamoDB cannot store, and
 * holding back changes of items that failed earlier.
 */
function writesOf<T>(
  group: Step[],
  events: ChangeEvent<T>[],
  table: string,
  results: Results,
): { live: Step[]; writes: TransactWriteItem[] } {
  let live = group;
  for (;;) {
    for (const step of live) if (results.waits(step)) results.fail(step, heldBack());
    live = live.filter((step) => results.list[step.index]!.ok);
    const merged = merge(live.map((step) => step.delta));
    const bad = unwritable(merged);
    if (bad.length === 0) return { live, writes: updatesOf(table, merged) };
    for (const address of bad) {
      const cell = merged.cells.get(address)!;
      const detail = `the batch's amounts for ${cell.pk} ${cell.sk} add up to more than DynamoDB's 38 significant digits`;
      for (const position of merged.contributors.get(address)!) {
        const step = live[position]!;
        results.fail(
          step,
          new AggregateInputError("SUM_OUT_OF_RANGE", detail, events[step.index]!),
        );
      }
    }
  }
}

/**
 * With a DynamoDB checkpoint store, `ctx.commit` puts the writes and the items' watermarks in
 * one TransactWriteItems: a change another delivery already applied refuses it. Without one,
 * the writes alone go in one transaction (a redelivery would add them again).
 */
async function commit<T>(
  ctx: ProcessContext,
  options: AggregateOptions<T>,
  writes: TransactWriteItem[],
  events: ChangeEvent<T>[],
): Promise<void> {
  if (ctx.commit) return ctx.commit(writes, events as ChangeEvent<unknown>[]);
  const sequenceNumbers = events.map((event) => event.meta.sequenceNumber).join(",");
  await transactWithCheckpoint({
    client: options.client,
    writes,
    checkpoint: [],
    batchId: `aggregate|${options.name}|${sequenceNumbers}`,
  });
}

/**
 * DynamoDB rejected what the request asks, not the moment: a validation error, for the whole
 * request or for one of the transaction's actions. Sending it again would fail again.
 */
function isRefusedWrite(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "ValidationException") return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === "ValidationError")
  );
}
