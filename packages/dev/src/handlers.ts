import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { HandlerReference } from "@sluice/pipeline";
import * as esbuild from "esbuild";
import { bundleOptions, importBundle } from "./bundle.js";

// biome-ignore lint/suspicious/noExplicitAny: a handler narrows its own event
export type LoadedHandler = (event: any, context: any) => unknown;

export interface HandlerWatchOptions {
  /** The app's root: handler paths are relative to it, as in sst.config.ts. */
  root: string;
  handler: HandlerReference;
  /** Where the bundles go; one file per build. */
  outDir: string;
  /** Rebuild and reload when a file of the handler changes. Default true. */
  watch?: boolean;
  /** Called after each build that could be imported, with the handler it exports. */
  onLoad(handler: LoadedHandler, build: number): void;
  /** Called when a build or an import fails; the previous handler, if any, stays in use. */
  onError(error: Error): void;
}

export interface HandlerWatch {
  /** Resolves after the first build was loaded or failed. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".tsx", ".jsx"];

/** The handler's source file: `src/handlers/audit` is `src/handlers/audit.ts` or one of its kin. */
export function handlerSource(root: string, handler: HandlerReference): string {
  const base = resolve(root, handler.module);
  const found = EXTENSIONS.map((extension) => base + extension).find((file) => existsSync(file));
  if (found === undefined) {
    throw new Error(
      `Handler "${handler.path}": no file ${handler.module}{${EXTENSIONS.join(",")}} under ${root}. Handler paths are relative to the app's root; pass --root when it is not the current directory.`,
    );
  }
  return found;
}

function describe(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(String(error));
}

/**
 * Bundles a handler's own files with esbuild, imports the bundle and hands over its export; with
 * `watch`, does it again whenever one of those files changes. Each build is a new file, so the
 * import is fresh and a running invocation keeps the code it started with.
 */
export async function watchHandler(options: HandlerWatchOptions): Promise<HandlerWatch> {
  const source = handlerSource(options.root, options.handler);
  const { exportName } = options.handler;
  let build = 0;
  let settle: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const load = async (result: esbuild.BuildResult) => {
    if (result.errors.length > 0) {
      const text = await esbuild.formatMessages(result.errors, { kind: "error", color: false });
      options.onError(new Error(`Build of ${options.handler.path} failed:\n${text.join("")}`));
      return;
    }
    const file = result.outputFiles?.[0];
    if (file === undefined) return;
    build++;
    const name = `${options.handler.module.replaceAll("/", "_")}.${build}.mjs`;
    try {
      const module = await importBundle(options.outDir, name, file.contents);
      const handler = module[exportName];
      if (typeof handler !== "function") {
        throw new Error(
          `${options.handler.module} has no function export "${exportName}" (it exports ${Object.keys(module).join(", ") || "nothing"}): fix the handler path in the pipeline.`,
        );
      }
      options.onLoad(handler as LoadedHandler, build);
    } catch (error) {
      options.onError(describe(error));
    }
  };

  const context = await esbuild.context({
    ...bundleOptions,
    entryPoints: [source],
    outfile: join(options.outDir, "bundle.mjs"),
    sourcemap: "inline",
    plugins: [
      ...bundleOptions.plugins,
      {
        name: "load",
        setup(pluginBuild) {
          pluginBuild.onEnd(async (result) => {
            await load(result);
            settle();
          });
        },
      },
    ],
  });
  // watch() makes the first build itself; rebuild() makes the only one.
  if (options.watch ?? true) await context.watch();
  else await context.rebuild().catch(() => {}); // failures reach onEnd
  await ready;
  return {
    ready,
    async stop() {
      await context.dispose();
    },
  };
}
