/**
 * Synchronous last-resort cleanup when the process ends without calling stop():
 * normal exit, an uncaught error, or a termination signal.
 */
const hooks = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

function runHooks(): void {
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // Best effort: the process is going away.
    }
  }
  hooks.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  runHooks();
  // Keep the default behaviour (exit) unless someone else handles this signal.
  process.off(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", runHooks);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Registers `hook` to run on process exit; returns a function that unregisters it. */
export function onProcessExit(hook: () => void): () => void {
  install();
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}
