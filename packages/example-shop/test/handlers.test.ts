import { fileURLToPath } from "node:url";
import {
  pipelineEnvironment,
  resourceEnvironment,
  type Subscriber,
  searchCredentialsEnvironment,
} from "@sluice/pipeline";
import { afterEach, describe, expect, it, vi } from "vitest";
import { shop } from "../src/pipeline.js";

const appRoot = fileURLToPath(new URL("../../../", import.meta.url));
const account = "arn:aws:secretsmanager:us-east-1:123456789012";

/** What infra's StreamPipeline sets for each need, shaped like the deployed values. */
const values: Record<string, string> = {
  [pipelineEnvironment.deadLetterQueueUrl]:
    "https://sqs.us-east-1.amazonaws.com/123456789012/Shop-dead-letters",
  [resourceEnvironment.checkpoints]: "Shop-checkpoints",
  [resourceEnvironment.archiveBucket]: "shop-archive",
  [resourceEnvironment.searchDomain]: "https://search-shop.us-east-1.es.amazonaws.com",
  [searchCredentialsEnvironment]: `${account}:secret:SearchSecret-1a2b3c`,
  [resourceEnvironment.eventBus]: "shop-events",
  [resourceEnvironment.aggregatesTable]: "DailySales",
};

/** The variables a subscriber's handler reads: the queue's, and those of its needs. */
function variablesOf(subscriber: Subscriber): string[] {
  return [
    pipelineEnvironment.deadLetterQueueUrl,
    ...subscriber.needs.flatMap((need) =>
      need === "searchDomain"
        ? [resourceEnvironment.searchDomain, searchCredentialsEnvironment]
        : [resourceEnvironment[need]],
    ),
  ];
}

/** Imports the handler afresh with exactly these SLUICE_* variables, as in a new container. */
async function importWith(subscriber: Subscriber, variables: string[]) {
  vi.resetModules();
  for (const name of Object.keys(values)) vi.stubEnv(name, undefined);
  vi.stubEnv(pipelineEnvironment.pipeline, shop.name);
  vi.stubEnv(pipelineEnvironment.subscriber, subscriber.name);
  vi.stubEnv("AWS_REGION", "us-east-1");
  for (const name of variables) vi.stubEnv(name, values[name]);
  return (await import(`${appRoot}${subscriber.handler.module}.ts`)) as Record<string, unknown>;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe.each(Object.values(shop.subscribers).map((subscriber) => [subscriber.name, subscriber]))(
  "the %s handler",
  (_, subscriber) => {
    const variables = variablesOf(subscriber);

    it("imports with the environment infra gives its function and exports a Lambda handler", async () => {
      const module = await importWith(subscriber, variables);
      expect(typeof module[subscriber.handler.exportName]).toBe("function");
    });

    it.each(variables)("refuses to start without %s, saying what sets it", async (missing) => {
      await expect(
        importWith(
          subscriber,
          variables.filter((name) => name !== missing),
        ),
      ).rejects.toThrow(
        new RegExp(
          `^${missing} is not set\\. infra's StreamPipeline sets it.*; to run the handler anywhere else, set ${missing} to `,
        ),
      );
    });
  },
);
