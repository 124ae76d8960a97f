import { mkdir, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as esbuild from "esbuild";

/**
 * Dependencies stay outside the bundle, imported by absolute URL: the app's code is rebuilt on
 * each change while packages load once, so a handler and the dev session share one copy of each.
 */
const externalPackages: esbuild.Plugin = {
  name: "external-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === "resolving" || isBuiltin(args.path)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * How handlers and pipeline files are bundled: the app's own files, ESM for Node 24, kept in
 * memory until `importBundle` writes them.
 */
export const bundleOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  write: false,
  logLevel: "silent",
  plugins: [externalPackages],
} satisfies esbuild.BuildOptions;

/**
 * Writes a bundle to `outDir` as `name` and imports it. Callers give each build its own name,
 * so the import is a fresh module, never a cached one.
 */
export async function importBundle(
  outDir: string,
  name: string,
  contents: Uint8Array,
): Promise<Record<string, unknown>> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, name);
  await writeFile(file, contents);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
