import type { StreamItem } from "./lambda-event.js";
import type { InvocationOutcome } from "./types.js";

export interface ResponseRules {
  reportBatchItemFailures: boolean;
  /** With tumbling windows the response must carry `state`. */
  requireState: boolean;
}

function failure(reason: string): InvocationOutcome {
  return { kind: "failure", reason };
}

/**
 * Reads a function's response the way Lambda does for streams. Without ReportBatchItemFailures
 * any response is success. With it: no response, no list or an empty list is success; an empty,
 * null, unknown or misnamed itemIdentifier fails the whole batch; otherwise the lowest reported
 * sequence number is where processing resumes.
 */
export function interpretResponse(
  response: unknown,
  batch: readonly StreamItem[],
  rules: ResponseRules,
): InvocationOutcome {
  const isObject = typeof response === "object" && response !== null && !Array.isArray(response);
  if (rules.requireState && !(isObject && "state" in response)) {
    return failure("the response of a tumbling-window function must contain `state`");
  }
  if (!rules.reportBatchItemFailures || response === null || response === undefined) {
    return { kind: "success" };
  }
  if (!isObject) return failure("the response is not an object with batchItemFailures");
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: "success" };
  if (!Array.isArray(failures)) return failure("batchItemFailures is not a list");
  if (failures.length === 0) return { kind: "success" };

  let lowest: { index: number; order: bigint } | undefined;
  for (const entry of failures) {
    const identifier = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof identifier !== "string" || identifier === "") {
      return failure(
        `batchItemFailures has an entry without an itemIdentifier: ${JSON.stringify(entry)}`,
      );
    }
    const index = batch.findIndex((item) => item.sequenceNumber === identifier);
    if (index === -1) {
      return failure(
        `itemIdentifier ${identifier} is not the SequenceNumber of a record in the batch`,
      );
    }
    const order = batch[index]!.order;
    if (!lowest || order < lowest.order) lowest = { index, order };
  }
  const index = lowest!.index;
  return { kind: "partial", index, sequenceNumber: batch[index]!.sequenceNumber };
}
