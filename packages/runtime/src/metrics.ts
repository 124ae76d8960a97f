import type { Logger } from "./logger.js";

export interface BatchCounts {
  processed: number;
  failed: number;
  deadLettered: number;
  skipped: number;
  /** Held back behind a failure of their item, or by the deadline. */
  deferred: number;
}

export interface BatchMetrics extends BatchCounts {
  durationMs: number;
  /** Age of the oldest record in the batch, from its approximate creation time. */
  maxRecordAgeMs?: number;
}

/**
 * Writes one CloudWatch Embedded Metric Format document per processor and batch. CloudWatch
 * extracts the metrics from the log line; no API call, no extra latency.
 */
export function emitBatchMetrics(
  logger: Logger,
  namespace: string,
  dimensions: { pipeline: string; processor: string },
  metrics: BatchMetrics,
  now: number = Date.now(),
): void {
  const values: Record<string, number> = {
    RecordsProcessed: metrics.processed,
    RecordsFailed: metrics.failed,
    RecordsDeadLettered: metrics.deadLettered,
    RecordsSkipped: metrics.skipped,
    RecordsDeferred: metrics.deferred,
    BatchDuration: metrics.durationMs,
  };
  if (metrics.maxRecordAgeMs !== undefined) values.RecordAge = metrics.maxRecordAgeMs;
  const unit = (name: string) =>
    name === "BatchDuration" || name === "RecordAge" ? "Milliseconds" : "Count";
  logger.raw({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["pipeline", "processor"]],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: unit(Name) })),
        },
      ],
    },
    pipeline: dimensions.pipeline,
    processor: dimensions.processor,
    ...values,
  });
}
