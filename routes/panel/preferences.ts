import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { type AppEnv, LOCALE_COOKIE } from "../../lib/core/mod.ts";

const ONE_YEAR = 60 * 60 * 24 * 365;
const HOME = "/panel/";

/**
 * The panel URL to go back to: `next`, else the Referer, and only when it is a path on this site under
 * /panel. Anything else (absolute URLs, `//host`, `/\host`, paths leaving the panel) falls back to the
 * panel home, so the route cannot be used as an open redirect.
 */
export function safeReturnPath(candidate: string | undefined, origin: string): string | null {
  if (!candidate) return null;
  let target: URL;
  try {
    target = new URL(candidate, origin);
  } catch {
    return null;
  }
  if (target.origin !== origin) return null;
  if (target.pathname !== "/panel" && !target.pathname.startsWith("/panel/")) return null;
  return target.pathname + target.search;
}

/** `GET /lang/:code`: remembers the language in a cookie and returns to the page the user was on. */
export function preferenceRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/lang/:code{es|en}", (c) => {
    setCookie(c, LOCALE_COOKIE, c.req.param("code"), {
      path: "/",
      maxAge: ONE_YEAR,
      sameSite: "Lax",
      httpOnly: true,
    });
    const origin = new URL(c.req.url).origin;
    const back = safeReturnPath(c.req.query("next"), origin) ??
      safeReturnPath(c.req.header("referer"), origin) ?? HOME;
    c.header("Cache-Control", "no-store");
    return c.redirect(back, 303);
  });
  return app;
}
