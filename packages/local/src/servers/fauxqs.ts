import { buildApp } from "fauxqs";
import { LOCAL_HOST } from "./ports.js";
import type { RunningServer } from "./types.js";
import { waitUntil } from "./wait.js";

/** Starts fauxqs (S3, SQS, SNS on one endpoint) in this process, on a free port of 127.0.0.1. */
export async function startFauxqs(options: {
  region: string;
  port?: number;
}): Promise<RunningServer> {
  // buildApp rather than fauxqs' startFauxqs: that one listens on every interface.
  const app = buildApp({ logger: false, defaultRegion: options.region });
  await app.listen({ port: options.port ?? 0, host: LOCAL_HOST });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  const stop = async () => {
    await app.close();
  };
  try {
    await waitUntil(async () => (await fetch(`${endpoint}/health`)).ok, {
      timeoutMs: 10_000,
      describe: () => `fauxqs did not answer on ${endpoint}/health`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}
