import type { Envelope } from "../../envelope.js";
import { toEnvelope } from "../../envelope.js";
import { type SqsRouterOptions, sqsEnvelopeSender } from "../../routers/sqs.js";
import type { ReplayRecord, ReplayTarget } from "../types.js";

/**
 * Re-drives records to an SQS queue as sluice envelopes, claim check included. Envelopes from a
 * sluice DLQ go as they are; records from Lambda's destination get one describing that failure.
 */
export function queueTarget(options: SqsRouterOptions): ReplayTarget {
  const send = sqsEnvelopeSender(options);
  return {
    describe: `SQS queue ${options.queueUrl}`,
    async deliver(records: ReplayRecord[]) {
      try {
        await send(records.map(envelopeOf));
        return new Map();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return new Map(records.map((r) => [r.id, reason]));
      }
    },
  };
}

function envelopeOf(item: ReplayRecord): Envelope {
  if (item.envelope) return item.envelope;
  const at = item.meta.failedAt ?? new Date();
  const code = item.meta.errorCode ?? "Unknown";
  return {
    ...toEnvelope({
      record: item.record,
      error: {
        class: "permanent",
        name: "LambdaFailureDestination",
        code,
        message: `Lambda discarded the batch holding this record (${code}).`,
      },
      attempts: 0,
      processor: item.meta.processor ?? "unknown",
      pipeline: "lambda",
      firstFailureAt: at,
      lastFailureAt: at,
    }),
    id: item.id,
  };
}
