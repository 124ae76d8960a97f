// `pnpm soak`: runs the settings against a local stack of its own and prints a Markdown table.
// Exits 1 when a run broke the exactly-once promise or could not finish, 2 on bad flags.
//   --seed N      the seed of the writes and of every fault decision (default 1)
//   --changes N   changes per setting (default 20,000; 2,000 with --quick)
//   --quick       the short variant
//   --only NAME   only these settings (comma-separated or repeated)
import { parseArgs } from "node:util";
import { runSetting, type SettingResult } from "./harness.ts";
import { loadPackages } from "./packages.ts";
import { describeRun, markdownReport } from "./report.ts";
import { type Setting, settingNamed, settings } from "./settings.ts";

function parse(): { seed: number; changes: number; chosen: Setting[] } {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "1" },
      changes: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
    },
  });
  const seed = Number(values.seed);
  const changes = Number(values.changes ?? (values.quick ? 2_000 : 20_000));
  if (!Number.isInteger(seed) || !Number.isInteger(changes) || changes < 1) {
    throw new Error("--seed and --changes take whole numbers (--changes at least 1).");
  }
  const names = (values.only ?? []).flatMap((list) => list.split(",")).filter(Boolean);
  return { seed, changes, chosen: names.length > 0 ? names.map(settingNamed) : settings };
}

let options: ReturnType<typeof parse>;
try {
  options = parse();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const { seed, changes, chosen } = options;
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const packages = await loadPackages();
const stack = await packages.local.startLocalStack({ services: ["dynamodb", "fauxqs"] });
const results: SettingResult[] = [];
const errors: string[] = [];
try {
  log(`seed ${seed}, ${changes} changes per setting: ${chosen.map((s) => s.name).join(", ")}`);
  for (const setting of chosen) {
    try {
      const result = await runSetting({
        packages,
        config: stack.config,
        setting,
        seed,
        changes,
        progress: log,
      });
      results.push(result);
      log(
        `${setting.name}: ${result.failures.length === 0 ? "pass" : "FAIL"}; ${describeRun(result)}`,
      );
    } catch (error) {
      // A run that cannot finish (a mapping that stops invoking) is a finding too; go on.
      errors.push(`${setting.name} did not finish: ${(error as Error).stack ?? error}`);
      log(errors.at(-1) as string);
    }
  }
} finally {
  await stack.stop();
}
console.log(`\nSeed ${seed}, ${changes} changes per setting\n\n${markdownReport(results)}`);
if (errors.length > 0) console.log(`\n${errors.join("\n")}`);
process.exitCode = errors.length === 0 && results.every((r) => r.failures.length === 0) ? 0 : 1;
