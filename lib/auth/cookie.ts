import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../core/mod.ts";

/** The panel's HttpOnly session cookie on plain HTTP; its value is a session token, like `apikey: <token>`. */
export const SESSION_COOKIE = "taguato_session";
/**
 * Its name over HTTPS: browsers only accept a `__Host-` cookie that is Secure, host-only and Path=/, so a
 * sibling subdomain or a plain-HTTP page on the same host cannot plant or shadow the session.
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
const MAX_AGE_S = 24 * 60 * 60;

/**
 * True when the browser reaches the panel over HTTPS: PUBLIC_URL is https, the connection itself is TLS,
 * or a trusted proxy (see the edge middleware) says so in X-Forwarded-Proto. Anyone else's header is ignored.
 */
export function isHttps(c: Context, publicUrl: string | undefined): boolean {
  if (publicUrl?.toLowerCase().startsWith("https://")) return true;
  if (new URL(c.req.url).protocol === "https:") return true;
  if (!(c as Context<AppEnv>).get("fromTrustedProxy")) return false;
  return c.req.header("x-forwarded-proto")?.split(",")[0].trim().toLowerCase() === "https";
}

/** The session cookie's name for this request: `__Host-` prefixed over HTTPS, plain otherwise. */
export const sessionCookieName = (c: Context, publicUrl: string | undefined) =>
  isHttps(c, publicUrl) ? SECURE_SESSION_COOKIE : SESSION_COOKIE;

const options = (c: Context, publicUrl: string | undefined) => ({
  httpOnly: true,
  sameSite: "Lax" as const,
  path: "/",
  secure: isHttps(c, publicUrl),
});

/** Sets (or refreshes) the session cookie: HttpOnly, SameSite=Lax, Path=/, 24 h; over HTTPS Secure + `__Host-`. */
export function setSessionCookie(c: Context, token: string, publicUrl: string | undefined): void {
  setCookie(c, sessionCookieName(c, publicUrl), token, { ...options(c, publicUrl), maxAge: MAX_AGE_S });
}

/** Expires the session cookie in the browser. */
export function clearSessionCookie(c: Context, publicUrl: string | undefined): void {
  deleteCookie(c, sessionCookieName(c, publicUrl), options(c, publicUrl));
}

/** The session token carried by the cookie that applies to this request (see sessionCookieName), if any. */
export function readSessionCookie(c: Context, publicUrl: string | undefined): string | undefined {
  return getCookie(c, sessionCookieName(c, publicUrl)) || undefined;
}
