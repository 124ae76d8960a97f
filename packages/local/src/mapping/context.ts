import type { Context } from "aws-lambda";
import type { MappingEvent, StreamHandler } from "./types.js";

export interface FunctionIdentity {
  functionName: string;
  functionArn: string;
  memorySize: number;
  timeoutMs: number;
}

export function createContext(
  identity: FunctionIdentity,
  requestId: string,
  deadline: number,
): Context {
  const unsupported = (name: string) => () => {
    throw new Error(
      `context.${name}() is gone from Node.js Lambda runtimes; return or throw instead.`,
    );
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: identity.functionArn,
    memoryLimitInMB: String(identity.memorySize),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}

export type InvokeResult =
  | { ok: true; result: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string } };

export class TimeoutError extends Error {
  override name = "Sandbox.Timedout";
}

function describe(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: "Error", errorMessage: String(error) };
}

/**
 * Runs the handler as Lambda would: a throw or a rejection is a function error, and so is
 * running past the timeout ("Task timed out after N seconds"). The handler cannot be killed
 * locally, so its late result is ignored.
 */
export async function invokeHandler(
  handler: StreamHandler,
  event: MappingEvent,
  identity: FunctionIdentity,
  requestId: string,
): Promise<InvokeResult> {
  const deadline = Date.now() + identity.timeoutMs;
  const context = createContext(identity, requestId, deadline);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = (identity.timeoutMs / 1000).toFixed(2);
      reject(new TimeoutError(`Task timed out after ${seconds} seconds`));
    }, identity.timeoutMs);
  });
  try {
    // Lambda hands the function a JSON copy and reads its response back from JSON.
    const payload = JSON.parse(JSON.stringify(event)) as MappingEvent;
    const result = await Promise.race([
      Promise.resolve().then(() => handler(payload, context)),
      timeout,
    ]);
    return { ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    return { ok: false, error: describe(error) };
  } finally {
    clearTimeout(timer);
  }
}
