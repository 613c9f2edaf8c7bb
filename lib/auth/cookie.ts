import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

/** The panel's HttpOnly session cookie; its value is a session token, exactly like `apikey: <token>`. */
export const SESSION_COOKIE = "taguato_session";
const MAX_AGE_S = 24 * 60 * 60;

/** True when the browser reached us over https (directly or through a TLS-terminating proxy). */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase();
  return forwarded === "https" || new URL(c.req.url).protocol === "https:";
}

const options = (c: Context) => ({
  httpOnly: true,
  sameSite: "Lax" as const,
  path: "/",
  secure: isHttps(c),
});

/** Sets (or refreshes) the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure on https, 24 h. */
export function setSessionCookie(c: Context, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { ...options(c), maxAge: MAX_AGE_S });
}

/** Expires the session cookie in the browser. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, options(c));
}

/** The session token carried by the cookie, if any. */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE) || undefined;
}
