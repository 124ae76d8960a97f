import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Vitest global setup: the CLI's tests run the built `sluice` bin as users do, so build it (and
 * what it imports) once per run, before any test file starts. Up-to-date builds take no time.
 */
export default function buildCli(): void {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  execFileSync(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, "-b", "packages/cli/tsconfig.json"],
    { cwd: root, stdio: "inherit" },
  );
}
