import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { LocalCredentials } from "../clients.js";
import { LOCAL_HOST } from "../servers/ports.js";
import type { RunningServer } from "../servers/types.js";
import { createOperations, unknownOperation } from "./api.js";
import { type DeliveryFailure, SqsDelivery } from "./delivery.js";
import { EventBridgeError } from "./errors.js";
import { EventBridgeStore } from "./store.js";

const TARGET_PREFIX = "AWSEvents.";
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

export interface EventBridgeServer extends RunningServer {
  /** Deliveries to targets that failed (e.g. the queue does not exist), in order. */
  readonly deliveryFailures: readonly DeliveryFailure[];
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": crypto.randomUUID(),
  });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES)
      throw new EventBridgeError("RequestEntityTooLarge", "Request is too large.", 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new EventBridgeError("SerializationException", "The request body is not valid JSON.");
  }
}

/**
 * A local EventBridge endpoint speaking AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Operation>`),
 * which the SDK's EventBridgeClient uses. Matching events go to SQS targets on `sqs.endpoint`.
 */
export async function startEventBridge(options: {
  region: string;
  sqs: { endpoint: string; credentials: LocalCredentials };
  port?: number;
}): Promise<EventBridgeServer> {
  const store = new EventBridgeStore(options.region);
  const deliveryFailures: DeliveryFailure[] = [];
  const sqs = new SQSClient({ region: options.region, ...options.sqs });
  const operations = createOperations(store, new SqsDelivery(sqs), deliveryFailures);

  const server = createServer(async (request, response) => {
    try {
      const target = String(request.headers["x-amz-target"] ?? "");
      const operation = target.startsWith(TARGET_PREFIX)
        ? operations[target.slice(TARGET_PREFIX.length)]
        : undefined;
      if (request.method !== "POST" || !operation)
        throw unknownOperation(target || `${request.method} ${request.url}`);
      send(response, 200, await operation(await readJson(request)));
    } catch (error) {
      if (error instanceof EventBridgeError) {
        send(response, error.status, { __type: error.type, message: error.message });
      } else {
        send(response, 500, { __type: "InternalException", message: String(error) });
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, LOCAL_HOST, resolve);
  }).catch((error) => {
    sqs.destroy();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    deliveryFailures,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        sqs.destroy();
      }),
  };
}
