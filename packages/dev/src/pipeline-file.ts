import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { PipelineDefinition } from "@sluice/pipeline";
import * as esbuild from "esbuild";
import { bundleOptions, importBundle } from "./bundle.js";

/** Where `sluice dev` looks for the pipeline when none is named: an app's, then the example's. */
export const DEFAULT_PIPELINE_FILES = ["src/pipeline.ts", "packages/example-shop/src/pipeline.ts"];

const isPipeline = (value: unknown): value is PipelineDefinition =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as PipelineDefinition).name === "string" &&
  typeof (value as PipelineDefinition).table === "object" &&
  typeof (value as PipelineDefinition).subscribers === "object";

/**
 * Loads a pipeline definition from a TypeScript or JavaScript file: `file` or `file#exportName`.
 * Without an export name, the file must export exactly one definition.
 */
export async function loadPipelineFile(
  spec: string | undefined,
  root: string,
): Promise<{ pipeline: PipelineDefinition; file: string }> {
  const [path, exportName] = (spec ?? "").split("#") as [string, string | undefined];
  const candidates = spec ? [path] : DEFAULT_PIPELINE_FILES;
  const file = candidates.map((candidate) => resolve(root, candidate)).find(existsSync);
  if (file === undefined) {
    throw new Error(
      spec
        ? `No pipeline file ${path} under ${root}.`
        : `No pipeline definition found (looked for ${DEFAULT_PIPELINE_FILES.join(", ")}): pass --pipeline FILE[#EXPORT], the file that calls definePipeline.`,
    );
  }
  const built = await esbuild.build({
    ...bundleOptions,
    entryPoints: [file],
    outfile: "pipeline.mjs",
  });
  const module = await importBundle(
    join(root, ".sluice", "dev"),
    `pipeline.${Date.now()}.mjs`,
    built.outputFiles[0]!.contents,
  );
  const found = exportName
    ? [[exportName, module[exportName]] as const].filter(([, value]) => isPipeline(value))
    : Object.entries(module).filter(([, value]) => isPipeline(value));
  if (found.length !== 1) {
    const what = exportName
      ? `no pipeline definition exported as "${exportName}"`
      : found.length === 0
        ? "no exported pipeline definition"
        : `${found.length} pipeline definitions (${found.map(([name]) => name).join(", ")}); name one as ${path}#NAME`;
    throw new Error(`${file} has ${what}.`);
  }
  return { pipeline: found[0]![1] as PipelineDefinition, file };
}
