import { spawnSync } from "node:child_process";

export const MIN_JAVA_MAJOR = 17;

const INSTALL_HINT =
  `DynamoDB Local needs Java ${MIN_JAVA_MAJOR} or newer on PATH. Install a JRE ${MIN_JAVA_MAJOR}+ ` +
  "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17; " +
  "or https://adoptium.net) and make sure `java -version` prints it.";

/** Reads the major version from `java -version` output ("1.8.0_392" is 8, "17.0.15" is 17). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Throws an error that says what to install when `java` is missing or too old. */
export function assertJava(command = "java"): void {
  const result = spawnSync(command, ["-version"], { encoding: "utf8" });
  if (result.error) {
    throw new Error(`Java was not found (${result.error.message}). ${INSTALL_HINT}`);
  }
  const output = `${result.stderr}${result.stdout}`;
  const major = parseJavaMajor(output);
  if (major === undefined) {
    throw new Error(`Could not read the Java version from \`java -version\`. ${INSTALL_HINT}`);
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(`Java ${major} is too old. ${INSTALL_HINT}`);
  }
}
