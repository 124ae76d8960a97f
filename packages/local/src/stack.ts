import {
  createLocalClients,
  destroyClients,
  guardEndpoints,
  LOCAL_CREDENTIALS,
  type LocalClients,
  type LocalCredentials,
  type LocalEndpoints,
  type LocalService,
  type LocalStackConfig,
} from "./clients.js";
import { startEventBridge } from "./eventbridge/server.js";
import { startDynamoDbLocal } from "./servers/dynamodb.js";
import { startFauxqs } from "./servers/fauxqs.js";
import type { RunningServer } from "./servers/types.js";

export interface LocalStackOptions {
  /** Region the clients sign for and ARNs carry. Default us-east-1. */
  region?: string;
  /** Servers to start. Default: all of them. */
  services?: LocalService[];
  /** Fixed ports, e.g. for a long-running dev stack. Default: free ports. */
  ports?: Partial<Record<LocalService, number>>;
}

export interface LocalStack {
  region: string;
  credentials: LocalCredentials;
  endpoints: LocalEndpoints;
  clients: LocalClients;
  services: LocalService[];
  /** Plain data for another process (a test worker) to reach this stack. */
  config: LocalStackConfig;
  /** Stops every server of the stack; safe to call more than once. */
  stop(): Promise<void>;
}

export const ALL_SERVICES: LocalService[] = ["dynamodb", "fauxqs", "eventbridge"];

/**
 * Starts DynamoDB Local, fauxqs and the local EventBridge on free ports of 127.0.0.1 and waits
 * until each answers.
 * The servers stop on stop(), on process exit and when any of them fails to start.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const region = options.region ?? "us-east-1";
  const services = [...new Set(options.services ?? ALL_SERVICES)];
  if (services.includes("eventbridge") && !services.includes("fauxqs")) {
    throw new Error('The local EventBridge delivers to SQS on fauxqs: add "fauxqs" to services.');
  }
  const running: RunningServer[] = [];
  const stopAll = async () => {
    const servers = running.splice(0).reverse();
    await Promise.allSettled(servers.map((server) => server.stop()));
  };
  const track = async (start: Promise<RunningServer>): Promise<RunningServer> => {
    const server = await start;
    running.push(server);
    return server;
  };

  const endpoints: Partial<LocalEndpoints> = {};
  const starting: Promise<unknown>[] = [];
  if (services.includes("dynamodb")) {
    starting.push(
      track(startDynamoDbLocal({ port: options.ports?.dynamodb })).then((server) => {
        endpoints.dynamodb = server.endpoint;
      }),
    );
  }
  if (services.includes("fauxqs")) {
    starting.push(
      track(startFauxqs({ region, port: options.ports?.fauxqs })).then(async (server) => {
        endpoints.s3 = server.endpoint;
        endpoints.sqs = server.endpoint;
        endpoints.sns = server.endpoint;
        if (!services.includes("eventbridge")) return;
        const eventbridge = await track(
          startEventBridge({
            region,
            sqs: { endpoint: server.endpoint, credentials: LOCAL_CREDENTIALS },
            port: options.ports?.eventbridge,
          }),
        );
        endpoints.eventbridge = eventbridge.endpoint;
      }),
    );
  }
  const results = await Promise.allSettled(starting);
  const failure = results.find((result) => result.status === "rejected");
  if (failure) {
    await stopAll();
    throw failure.reason;
  }

  const config: LocalStackConfig = {
    region,
    credentials: LOCAL_CREDENTIALS,
    endpoints,
    services,
  };
  const guarded = guardEndpoints(config);
  const clients = createLocalClients(config);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      destroyClients(clients);
      await stopAll();
    })();
    return stopping;
  };
  return {
    region,
    credentials: LOCAL_CREDENTIALS,
    endpoints: guarded,
    clients,
    services,
    config,
    stop,
  };
}
