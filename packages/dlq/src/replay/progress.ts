import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Which records a replay has already brought through. The engine writes a record's id here after
 * the target took it and before it deletes the source message, so a replay restarted after a crash
 * skips it instead of applying it twice.
 */
export interface ProgressStore {
  has(id: string): boolean;
  add(id: string): Promise<void>;
  close?(): Promise<void>;
}

export function memoryProgress(): ProgressStore {
  const done = new Set<string>();
  return {
    has: (id) => done.has(id),
    add: async (id) => {
      done.add(id);
    },
  };
}

/**
 * Progress in a JSON Lines file, one `{"id","at"}` per replayed record, synced on every write.
 * Use one file per replay job (source and target); reuse it to resume.
 */
export async function fileProgress(path: string): Promise<ProgressStore> {
  const done = new Set<string>();
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  for (const line of text.split("\n")) {
    // A crash can cut the last line short; the record it named is then replayed again.
    try {
      const entry = JSON.parse(line) as { id?: unknown };
      if (typeof entry.id === "string") done.add(entry.id);
    } catch {}
  }
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, "a");
  if (text.length > 0 && !text.endsWith("\n")) await file.appendFile("\n");
  return {
    has: (id) => done.has(id),
    add: async (id) => {
      await file.appendFile(`${JSON.stringify({ id, at: new Date().toISOString() })}\n`);
      await file.datasync();
      done.add(id);
    },
    close: () => file.close(),
  };
}
