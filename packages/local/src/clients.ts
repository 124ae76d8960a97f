import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

export type LocalService = "dynamodb" | "fauxqs" | "eventbridge";

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  sqs: string;
  sns: string;
  eventbridge: string;
}

/** What a process needs to reach a running stack; plain data, so it can cross to test workers. */
export interface LocalStackConfig {
  region: string;
  credentials: LocalCredentials;
  endpoints: Partial<LocalEndpoints>;
  /** The servers that were started; the others' endpoints and clients throw when used. */
  services: LocalService[];
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  eventbridge: EventBridgeClient;
}

export const LOCAL_CREDENTIALS: LocalCredentials = {
  accessKeyId: "local",
  secretAccessKey: "local",
};

const SERVICE_OF: Record<keyof LocalEndpoints, LocalService> = {
  dynamodb: "dynamodb",
  s3: "fauxqs",
  sqs: "fauxqs",
  sns: "fauxqs",
  eventbridge: "eventbridge",
};

function notStarted(name: string, service: LocalService): Error {
  return new Error(
    `The local ${name} endpoint is not running: start the stack with "${service}" in its services.`,
  );
}

/** Endpoints of servers that were not started throw a clear error when read. */
export function guardEndpoints(config: LocalStackConfig): LocalEndpoints {
  const guarded = {} as LocalEndpoints;
  for (const name of Object.keys(SERVICE_OF) as (keyof LocalEndpoints)[]) {
    const service = SERVICE_OF[name];
    const value = config.endpoints[name];
    Object.defineProperty(guarded, name, {
      enumerable: value !== undefined,
      get: () => {
        if (value === undefined || !config.services.includes(service))
          throw notStarted(name, service);
        return value;
      },
    });
  }
  return guarded;
}

const createdClients = new WeakMap<LocalClients, Partial<LocalClients>>();

/** SDK v3 clients pointed at the local servers, created on first use. */
export function createLocalClients(config: LocalStackConfig): LocalClients {
  const endpoints = guardEndpoints(config);
  const base = { region: config.region, credentials: config.credentials };
  const factories: { [K in keyof LocalClients]: () => LocalClients[K] } = {
    dynamodb: () => new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb }),
    streams: () => new DynamoDBStreamsClient({ ...base, endpoint: endpoints.dynamodb }),
    // Path-style: bucket names as hosts (bucket.127.0.0.1) do not resolve.
    s3: () => new S3Client({ ...base, endpoint: endpoints.s3, forcePathStyle: true }),
    sqs: () => new SQSClient({ ...base, endpoint: endpoints.sqs }),
    sns: () => new SNSClient({ ...base, endpoint: endpoints.sns }),
    eventbridge: () => new EventBridgeClient({ ...base, endpoint: endpoints.eventbridge }),
  };
  const created: Partial<LocalClients> = {};
  const clients = {} as LocalClients;
  createdClients.set(clients, created);
  for (const name of Object.keys(factories) as (keyof LocalClients)[]) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get: () => {
        created[name] ??= factories[name]() as never;
        return created[name];
      },
    });
  }
  return clients;
}

/** Closes the sockets of the clients that were created. */
export function destroyClients(clients: LocalClients): void {
  for (const client of Object.values(createdClients.get(clients) ?? {})) client.destroy();
}
