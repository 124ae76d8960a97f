import type { MiddlewareHandler } from "hono";

/**
 * Refuses what did not come from the console's own page on this machine. The Host check stops
 * DNS rebinding (a foreign name resolving to 127.0.0.1); the Origin check stops another site's
 * page from driving the API from the user's browser, replay included.
 */
export function localOnly(port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const allowedHosts = [`127.0.0.1:${port()}`, `localhost:${port()}`];
    const home = `http://127.0.0.1:${port()}/`;
    const host = c.req.header("host")?.toLowerCase();
    if (host === undefined || !allowedHosts.includes(host)) {
      return c.text(
        `Refused: the sluice dev console only answers at ${home} (this request was for host ${JSON.stringify(host ?? "")}). Open ${home} in your browser.`,
        403,
      );
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !allowedHosts.some((allowed) => origin === `http://${allowed}`)) {
      return c.text(
        `Refused: a page from ${origin} may not use the sluice dev console. Open ${home} in your browser and use it from there.`,
        403,
      );
    }
    await next();
  };
}

/** Only JSON bodies: a cross-site form cannot send them without a preflight, which is never granted. */
export function jsonOnly(): MiddlewareHandler {
  return async (c, next) => {
    const mediaType = c.req.header("content-type")?.split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      return c.text(
        "Refused: send the request body as JSON, with Content-Type: application/json.",
        415,
      );
    }
    await next();
  };
}
