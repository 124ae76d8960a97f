import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SearchAction } from "@sluice/processors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { masterUserSink } from "../src/search-sink.js";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:SearchSecret-1a2b3c";
const action: SearchAction = {
  op: "index",
  index: "orders",
  id: "o-1",
  version: 1_795_255_140_000_000_001n,
  document: { orderId: "o-1", status: "paid" },
};

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** A `_bulk` endpoint that accepts every action and keeps each request's Authorization header. */
async function bulkEndpoint() {
  const authorizations: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const actions = body.split("\n").filter((line) => /^\{"(index|delete)"/.test(line));
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          took: 1,
          errors: false,
          items: actions.map(() => ({ index: { status: 201, result: "created" } })),
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { node: `http://127.0.0.1:${port}`, authorizations };
}

/** Secrets Manager answering each GetSecretValue with the next of `answers`. */
function secrets(...answers: (string | Error)[]) {
  const send = vi.fn(async (command: { input: unknown }) => {
    expect(command.input).toEqual({ SecretId: secretArn });
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return { SecretString: answer };
  });
  return { client: { send } as unknown as SecretsManagerClient, send };
}

const masterUser = JSON.stringify({ username: "admin", password: "s3cret^Pass" });

describe("masterUserSink", () => {
  it("reads the secret on the first bulk call only, then signs every request in as the master user", async () => {
    const { node, authorizations } = await bulkEndpoint();
    const { client, send } = secrets(masterUser);
    const sink = masterUserSink({ node, secretArn, secrets: client });
    expect(send).not.toHaveBeenCalled();

    expect(await sink.bulk([action])).toEqual([{ status: "applied" }]);
    expect(await sink.bulk([action, { ...action, id: "o-2" }])).toEqual([
      { status: "applied" },
      { status: "applied" },
    ]);
    expect(send).toHaveBeenCalledTimes(1);
    const basic = `Basic ${Buffer.from("admin:s3cret^Pass").toString("base64")}`;
    expect(authorizations).toEqual([basic, basic]);
  });

  it("reads the secret again on the next call after a failed read", async () => {
    const { node } = await bulkEndpoint();
    const { client, send } = secrets(new Error("ThrottlingException"), masterUser);
    const sink = masterUserSink({ node, secretArn, secrets: client });

    await expect(sink.bulk([action])).rejects.toThrow("ThrottlingException");
    expect(await sink.bulk([action])).toEqual([{ status: "applied" }]);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("refuses a secret that is not the master user, naming it without its text", async () => {
    const { node, authorizations } = await bulkEndpoint();
    const sink = masterUserSink({ node, secretArn, secrets: secrets("hunter2").client });

    const failure = sink.bulk([action]);
    await expect(failure).rejects.toThrow(
      `The secret ${secretArn} must hold the search domain's master user as {"username": "…", "password": "…"}`,
    );
    await expect(failure).rejects.not.toThrow("hunter2");
    expect(authorizations).toEqual([]);
  });
});
