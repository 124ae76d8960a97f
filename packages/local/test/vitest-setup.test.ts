import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListEventBusesCommand } from "@aws-sdk/client-eventbridge";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { TestProject } from "vitest/node";
import { createLocalClients, destroyClients } from "../src/clients.js";
import type { ProvidedLocalStack } from "../src/vitest-context.js";
import setup from "../src/vitest-setup.js";
import { javaOnPort } from "./java-processes.js";

describe("vitest global setup", () => {
  it("provides a running stack as plain data and stops it on teardown", async () => {
    const provided = new Map<string, ProvidedLocalStack>();
    // The part of TestProject that a global setup uses.
    const project = {
      provide: (key: string, value: ProvidedLocalStack) => provided.set(key, value),
    };
    const teardown = await setup(project as unknown as TestProject);

    const value = provided.get("sluiceLocalStack");
    if (!value || "error" in value) throw new Error(`no stack provided: ${JSON.stringify(value)}`);
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
    const clients = createLocalClients(value.config);
    try {
      await expect(clients.dynamodb.send(new ListTablesCommand({}))).resolves.toBeDefined();
      await expect(clients.sqs.send(new ListQueuesCommand({}))).resolves.toBeDefined();
      await expect(clients.eventbridge.send(new ListEventBusesCommand({}))).resolves.toBeDefined();
    } finally {
      destroyClients(clients);
    }

    const port = new URL(value.config.endpoints.dynamodb!).port;
    expect(javaOnPort(port)).toHaveLength(1);
    await teardown();
    expect(javaOnPort(port)).toEqual([]);
  });
});
