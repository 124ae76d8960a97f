// Runs every *.bench.ts in this folder in turn. Each exports a default async function that
// measures something and prints its own table. Run with `pnpm bench` (it builds first).
import { readdir } from "node:fs/promises";

const here = new URL("./", import.meta.url);
const files = (await readdir(here)).filter((name) => name.endsWith(".bench.ts")).sort();
const only = process.argv[2];

for (const file of files) {
  if (only !== undefined && !file.includes(only)) continue;
  const bench = (await import(new URL(file, here).href)) as { default: () => Promise<void> };
  console.log(`\n== ${file}`);
  await bench.default();
}
