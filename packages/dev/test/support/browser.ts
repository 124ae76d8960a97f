import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's and Ubuntu's `chromium` package; CHROMIUM_PATH points elsewhere. */
const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/**
 * Headless Chromium for tests that drive the console as a user would. playwright-core downloads
 * no browser, so this uses the system's. The flags let it run as root in a container.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}. Install it with \`apt-get install chromium\`, or set CHROMIUM_PATH to a Chromium or Chrome executable.`,
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}
