import { type FunctionIdentity, invokeHandler } from "./context.js";
import type { StreamItem } from "./lambda-event.js";
import type { CallResult } from "./lane.js";
import { interpretResponse } from "./response.js";
import type { ResolvedSettings } from "./settings.js";
import type { InvocationLog, InvocationOutcome, MappingEvent, StreamHandler } from "./types.js";

/** Calls the function as Lambda does and reads its response by the mapping's settings. */
export class Invoker {
  private requests = 0;
  private readonly identity: FunctionIdentity;

  constructor(
    private readonly handler: StreamHandler,
    private readonly settings: ResolvedSettings,
    private readonly uuid: string,
    functionArn: string,
  ) {
    this.identity = {
      functionName: settings.functionName,
      functionArn,
      memorySize: settings.memorySize,
      timeoutMs: settings.timeoutMs,
    };
  }

  /** Request ids share the mapping's UUID and count up, so runs are easy to compare. */
  nextRequestId(): string {
    this.requests += 1;
    return `${this.uuid.slice(0, 24)}${this.requests.toString(16).padStart(12, "0")}`;
  }

  async invoke(
    shardId: string,
    lane: number,
    event: MappingEvent,
    items: StreamItem[],
  ): Promise<{ call: CallResult; invocation: InvocationLog }> {
    const requestId = this.nextRequestId();
    const startedAt = Date.now();
    const run = await invokeHandler(this.handler, event, this.identity, requestId);
    const outcome: InvocationOutcome = run.ok
      ? interpretResponse(run.result, items, {
          reportBatchItemFailures: this.settings.reportBatchItemFailures,
          requireState: this.settings.tumblingWindowMs > 0,
        })
      : {
          kind: "failure",
          reason: `${run.error.errorType}: ${run.error.errorMessage}`,
          functionError: "Unhandled",
        };
    const invocation: InvocationLog = {
      requestId,
      shardId,
      lane,
      event,
      startedAt,
      durationMs: Date.now() - startedAt,
      outcome,
      ...(run.ok ? { result: run.result } : { error: run.error }),
    };
    return { call: { requestId, outcome, result: run.ok ? run.result : undefined }, invocation };
  }
}
