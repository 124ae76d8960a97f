import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertJava, parseJavaMajor } from "../src/servers/java.js";

describe("Java check", () => {
  it("reads the major version of modern and legacy version strings", () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor("no version here")).toBeUndefined();
  });

  it("says what to install when java is missing", () => {
    expect(() => assertJava("java-that-does-not-exist")).toThrow(/Java 17 or newer.*Install/s);
  });

  it("says what to install when java is too old", () => {
    // A stand-in `java` that reports Java 8 the way Java 8 does, on stderr.
    const dir = mkdtempSync(join(tmpdir(), "old-java-"));
    const java = join(dir, "java");
    writeFileSync(java, "#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n");
    chmodSync(java, 0o755);
    try {
      expect(() => assertJava(java)).toThrow(/Java 8 is too old.*Java 17 or newer/s);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("accepts the Java on this machine", () => {
    expect(() => assertJava()).not.toThrow();
  });
});
