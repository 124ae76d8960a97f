import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as pulumi from "@pulumi/pulumi";
import { vi } from "vitest";
import { awsCalls } from "./fake-aws.js";
import { mockPulumi, type RecordedResource } from "./pulumi-mocks.js";
import { type BuildRequest, startSstServer } from "./sst-server.js";

const appRoot = fileURLToPath(new URL("../../../", import.meta.url));
const platform = join(appRoot, ".sst", "platform");

export interface DeployedStack {
  resources: RecordedResource[];
  /** What sst.config.ts's run() returned. */
  outputs: Record<string, unknown>;
  /** retainOnDelete of each resource by name, after SST's removal policy applied. */
  retained: Map<string, boolean | undefined>;
  builds: BuildRequest[];
}

function requirePlatform(): void {
  if (!existsSync(join(platform, "src", "components", "index.ts"))) {
    throw new Error(
      "The whole-stack tests need SST's platform in .sst/platform: run `pnpm sst:install` (pnpm test and .ci/run do) and try again.",
    );
  }
}

/** SST's components use their own copy of @pulumi/*; make infra use that one too, or mocks break. */
function useSstPulumi(): void {
  for (const name of ["@pulumi/pulumi", "@pulumi/aws"]) {
    vi.doMock(name, async () => {
      const module = await import(join(platform, "node_modules", name, "index.js"));
      return { ...module.default, default: module.default };
    });
  }
}

/**
 * Runs sst.config.ts's run() for one stage the way `sst deploy` evaluates it (SST's globals, its
 * removal policy, its build server), against Pulumi's mocks, and returns every resource recorded.
 * One stage per test file: Pulumi's mocks and SST's caches are per process.
 */
export async function deployStage(stage: string): Promise<DeployedStack> {
  requirePlatform();
  useSstPulumi();
  const server = await startSstServer(appRoot);
  process.env.SST_SERVER = server.url;
  const work = mkdtempSync(join(tmpdir(), "sluice-sst-work-"));
  const pulumiSdk = (await import("@pulumi/pulumi")) as typeof pulumi;
  const mocks = await mockPulumi(pulumiSdk.runtime, awsCalls, stage);

  Object.assign(globalThis, {
    $dev: false,
    $cli: {
      command: "deploy",
      rpc: server.url,
      paths: { home: work, root: appRoot, work, platform },
      state: { version: {} },
    },
  });
  Object.assign(globalThis, await import(join(platform, "src", "shim", "run.js")));
  // sst.config.ts needs only $config to load; SST's components read $app when they load.
  const config = (await import(join(appRoot, "sst.config.ts"))).default;
  Object.assign(globalThis, {
    $app: { ...(await config.app({ stage })), stage, providers: { aws: {} } },
  });
  Object.assign(globalThis, {
    aws: await import("@pulumi/aws"),
    sst: await import(join(platform, "src", "components", "index.ts")),
  });

  const retained = new Map<string, boolean | undefined>();
  const { run } = await import(join(platform, "src", "auto", "run.ts"));
  try {
    const outputs = await pulumiSdk.runtime.runInPulumiStack(() =>
      run(async () => {
        // After SST's own transformations (registered by run), so this sees their result.
        pulumiSdk.runtime.registerStackTransformation((args) => {
          retained.set(args.name, args.opts.retainOnDelete);
          return undefined;
        });
        return config.run();
      }),
    );
    // SST registers resources in async callbacks (after builds, zips): wait for Pulumi's
    // outstanding registrations, then for the count to stop changing.
    await pulumiSdk.runtime.disconnect();
    const resources = await mocks.settled();
    return { resources, outputs: outputs ?? {}, retained, builds: server.builds };
  } finally {
    await server.close();
  }
}
