import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Inputs } from "./pulumi-mocks.js";

export interface BuildRequest {
  functionID: string;
  handler: string;
  runtime: string;
}

export interface SstServer {
  url: string;
  /** Every handler SST asked to build, as `sst deploy` would. */
  builds: BuildRequest[];
  close(): Promise<void>;
}

/**
 * A stand-in for the SST CLI's local server, which components call while the program runs
 * (env SST_SERVER): the bootstrap bucket of a region, and handler builds. A build checks that the
 * handler's module exists under the app's root and answers with a placeholder bundle; bundling
 * itself is SST's (esbuild), not what these tests check.
 */
export async function startSstServer(appRoot: string): Promise<SstServer> {
  const builds: BuildRequest[] = [];
  const out = mkdtempSync(join(tmpdir(), "sluice-sst-build-"));

  const methods: Record<string, (input: Inputs) => unknown> = {
    "Provider.Aws.Bootstrap": ({ region }) => ({
      asset: `sst-asset-${region}`,
      assetEcrRegistryId: "123456789012",
      assetEcrUrl: `123456789012.dkr.ecr.${region}.amazonaws.com/sst-asset`,
      state: `sst-state-${region}`,
      appsyncHttp: "",
      appsyncRealtime: "",
    }),
    "Runtime.Build": (input) => {
      builds.push({ functionID: input.functionID, handler: input.handler, runtime: input.runtime });
      const module = String(input.handler).replace(/\.[^./]+$/, "");
      if (!existsSync(join(appRoot, `${module}.ts`))) {
        return {
          handler: input.handler,
          out,
          errors: [`No module ${module}.ts under the app's root.`],
          sourcemaps: [],
        };
      }
      const bundle = join(out, input.functionID);
      mkdirSync(dirname(join(bundle, `${module}.mjs`)), { recursive: true });
      writeFileSync(join(bundle, `${module}.mjs`), "export const handler = async () => ({});\n");
      return { handler: input.handler, out: bundle, errors: [], sourcemaps: [] };
    },
  };

  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const { method, params } = JSON.parse(body) as {
        method: string;
        params: [Inputs];
      };
      const answer = methods[method];
      const reply = answer
        ? { result: answer(params[0]) }
        : { error: `rpc: can't find method ${method}` };
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    builds,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
