// Installs SST's platform (.sst/platform) when it is missing or from another SST version:
// sst.config.ts's type-check and the whole-stack tests need it. Offline: SST would otherwise
// download the Pulumi CLI (SST_SKIP_DEPENDENCY_CHECK) and run a bun binary (SST_NO_BUN). Real
// deploys download what they need; do not set these flags there.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const platform = join(root, ".sst", "platform");
// The root devDependency; its package.json is not exported, so read it by path.
const sst = join(root, "node_modules", "sst");
const wanted = (JSON.parse(readFileSync(join(sst, "package.json"), "utf8")) as { version: string })
  .version;

function installedVersion(): string | undefined {
  const complete =
    existsSync(join(platform, "src", "components", "index.ts")) &&
    existsSync(join(platform, "node_modules", "@pulumi", "pulumi", "package.json"));
  const versionFile = join(platform, "version");
  return complete && existsSync(versionFile) ? readFileSync(versionFile, "utf8").trim() : undefined;
}

if (installedVersion() === wanted) process.exit(0);

if (!existsSync(join(root, "packages", "pipeline", "dist", "index.js"))) {
  console.error(
    "sst install evaluates sst.config.ts, which needs the built packages: run `pnpm build` first.",
  );
  process.exit(1);
}

console.log(
  `Installing SST ${wanted}'s platform into .sst/platform (offline, about a minute the first time)`,
);
execFileSync(process.execPath, [join(sst, "bin", "sst.mjs"), "install", "--stage", "dev"], {
  cwd: root,
  stdio: "inherit",
  env: {
    ...process.env,
    SST_SKIP_DEPENDENCY_CHECK: "1",
    SST_NO_BUN: "1",
    SST_TELEMETRY_DISABLED: "1",
  },
});
if (installedVersion() !== wanted) {
  console.error(
    "sst install finished without a complete .sst/platform; delete .sst and run `pnpm sst:install` again.",
  );
  process.exit(1);
}
