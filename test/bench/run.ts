// Runs every *.bench.ts in this folder in turn. Each exports a default async function that
// measures something and prints its own table. Run with `pnpm bench` (it builds first), or
// `pnpm bench decode` for the files whose name contains "decode".
import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";

const here = new URL("./", import.meta.url);
const files = (await readdir(here)).filter((name) => name.endsWith(".bench.ts")).sort();
const only = process.argv[2];

for (const file of files) {
  if (only !== undefined && !file.includes(only)) continue;
  console.log(`\n== ${file}`);
  // Its own process per benchmark, so one's heap and JIT state never weigh on another's figures.
  const script = `await (await import(${JSON.stringify(new URL(file, here).href)})).default();`;
  const { status } = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    stdio: "inherit",
  });
  if (status !== 0) process.exit(status ?? 1);
}
