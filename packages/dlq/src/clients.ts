import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

/** Where the clients connect. Without endpoints they reach AWS with the default credential chain. */
export interface ClientConfig {
  region?: string;
  /** One endpoint for every service. */
  endpoint?: string;
  /** Per-service endpoints, over `endpoint`; DynamoDB's serves its streams too. */
  endpoints?: { dynamodb?: string; sqs?: string; s3?: string };
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ReplayClients {
  sqs: SQSClient;
  s3: S3Client;
  streams: DynamoDBStreamsClient;
}

/** The clients the replay sources and targets need. */
export function replayClients(config: ClientConfig = {}): ReplayClients {
  const base = {
    ...(config.region && { region: config.region }),
    ...(config.credentials && { credentials: config.credentials }),
  };
  const endpoint = (service: "dynamodb" | "sqs" | "s3") => {
    const url = config.endpoints?.[service] ?? config.endpoint;
    return url ? { endpoint: url } : {};
  };
  const custom = Boolean(config.endpoint || config.endpoints?.s3);
  return {
    sqs: new SQSClient({ ...base, ...endpoint("sqs") }),
    // Local S3 servers answer on one host, so bucket names go in the path.
    s3: new S3Client({ ...base, ...endpoint("s3"), ...(custom && { forcePathStyle: true }) }),
    streams: new DynamoDBStreamsClient({ ...base, ...endpoint("dynamodb") }),
  };
}
