// The faults. A handler fault depends on the seed and the change's call alone; an AWS-call fault
// on the seed and the position of the call in its client's sequence of calls.
import { chance, seededStream } from "./random.ts";
import type { Setting } from "./settings.ts";

export type HandlerFault = "throttle" | "hung" | "slow" | undefined;

/** What the `call`-th call (1-based, in this process) of a change does. */
export function handlerFault(
  seed: number,
  setting: Setting,
  changeId: string,
  call: number,
): HandlerFault {
  if (chance(setting.throttles, seed, changeId, call, "throttle")) return "throttle";
  if (chance(setting.hung, seed, changeId, call, "hung")) return "hung";
  if (chance(setting.slow, seed, changeId, call, "slow")) return "slow";
  return undefined;
}

/** Shaped like an AWS SDK service error, so the runtime classifies it as it would the SDK's. */
export function awsError(name: string, status: number, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 },
    $retryable: name === "ThrottlingException" ? { throttling: true } : {},
  });
}

type Next = (args: never) => Promise<unknown>;

/** The part of an SDK v3 client that a middleware goes into. */
export interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: Next, context: { commandName?: string }) => Next,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

export interface ClientTally {
  /** `send` calls by command name, failed ones included. */
  requests: Map<string, number>;
  /** Calls failed before they were sent. */
  failedBefore: number;
  /** Calls that succeeded and then failed, like a response lost on the way back. */
  lostResponses: number;
}

/**
 * Counts the client's calls and fails a `rate` share of them, half before sending and half after
 * the service applied them. The middleware sits in the initialize step, outside the SDK's own
 * retries, so each fault reaches the caller, as one that outlasted the SDK's retries would.
 */
export function instrumentClient(
  client: MiddlewareClient,
  rate: number,
  ...seedParts: (string | number)[]
): ClientTally {
  const roll = seededStream(...seedParts);
  const tally: ClientTally = { requests: new Map(), failedBefore: 0, lostResponses: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? "unknown";
      tally.requests.set(command, (tally.requests.get(command) ?? 0) + 1);
      const fate = roll();
      if (fate < rate / 2) {
        tally.failedBefore++;
        throw awsError("ThrottlingException", 400, `soak: ${command} throttled before sending`);
      }
      const output = await next(args);
      if (fate < rate) {
        tally.lostResponses++;
        throw awsError("InternalServerError", 500, `soak: ${command} succeeded, response lost`);
      }
      return output;
    },
    { step: "initialize", name: "soakFaults" },
  );
  return tally;
}
