// `pnpm demo`, small: the built demo in its own process, on its own local stack, must pass every
// check of its closing report and exit 0.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const demo = fileURLToPath(new URL("../dist/demo/run.js", import.meta.url));

it("runs the shop end to end and every check of the closing report passes", {
  timeout: 180_000,
}, async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [demo, "--orders", "30", "--seed", "7"],
    { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const report = stdout.slice(stdout.indexOf("Closing report"));
  expect(report.match(/^ {2}✔ /gm)).toHaveLength(9);
  expect(report).not.toContain("✘");
  expect(report).toContain("All checks passed.");
  expect(report).toMatch(/poison records dead-lettered, with their code: .*UNKNOWN_ORDER_STATUS/);
  expect(report).toContain("3 replayed, 0 failed again, 0 left in the queue");
});
