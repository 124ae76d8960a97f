import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests run against each package's sources, so a test never sees a stale build.
// `@sluice/x` maps to packages/x/src/index.ts and `@sluice/x/y` to packages/x/src/y.ts.
const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));
const alias = [
  { find: /^@sluice\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  { find: /^@sluice\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/test/**/*.test.ts", "infra/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ["packages/local/src/vitest-setup.ts", "test/support/build-cli.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
