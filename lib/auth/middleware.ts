import type { Context, MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, type ErrorCode, fail, type SessionUser } from "../core/mod.ts";
import { type ApiKeyScope, resolveCredential } from "./credentials.ts";
import { readSessionCookie, setSessionCookie } from "./cookie.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const RATE_WINDOW_MS = 60_000;

export interface RequireAuthOptions {
  /** Apply the per-user rate limit (contract §1.1 A step 4). Default true; /api/auth/* turns it off. */
  rateLimit?: boolean;
  /** The 401 for a missing or invalid credential (the 2FA routes answer "unauthorized"). */
  unauthorizedCode?: ErrorCode;
}

/**
 * True when a cookie-authenticated write comes from our own pages: the Origin matches the request's
 * host (or PUBLIC_URL), or the browser vouches with Sec-Fetch-Site. A missing Origin is refused.
 */
export function isSameOrigin(c: Context, publicUrl?: string): boolean {
  if (c.req.header("sec-fetch-site") === "same-origin") return true;
  const origin = c.req.header("origin");
  if (!origin || origin === "null" || !URL.canParse(origin)) return false;
  const o = new URL(origin);
  if (publicUrl && URL.canParse(publicUrl) && new URL(publicUrl).origin === o.origin) return true;
  const host = c.req.header("x-forwarded-host")?.split(",")[0].trim() || c.req.header("host");
  return !!host && o.host === host;
}

/**
 * Contract §1.1 A: the `apikey` header (session token or API key) or else the panel cookie → 401 "Missing
 * apikey header" / 401 "Invalid or expired session token" / 403 "Account is disabled" / the per-user rate
 * limit. Cookie-authenticated writes must be same-origin (403 "CSRF check failed"). Sets `user`,
 * `sessionId`, `apiKey` and `authVia`.
 */
export function requireAuth(deps: AppDeps, options: RequireAuthOptions = {}): MiddlewareHandler<AppEnv> {
  const limit = options.rateLimit ?? true;
  return async function requireAuth(c, next) {
    const { raw, cookie } = credentialOf(c, deps);
    if (!raw) throw fail(options.unauthorizedCode ?? "missing_apikey");
    if (cookie && !SAFE_METHODS.has(c.req.method) && !isSameOrigin(c, deps.config.publicUrl)) {
      throw fail("csrf_failed");
    }
    const early = c.get("credentialLookup");
    const principal = early?.raw === raw
      ? await early.principal
      : await resolveCredential(deps, raw, { ip: c.get("clientIp") });
    // A cookie only ever carries a session token; API keys belong in the header.
    if (!principal || (cookie && principal.apiKey)) {
      throw fail(options.unauthorizedCode ?? "invalid_session");
    }
    if (!principal.user.isActive) throw fail("account_disabled");
    c.set("user", principal.user);
    c.set("sessionId", principal.sessionId);
    c.set("apiKey", principal.apiKey);
    c.set("authVia", cookie ? "cookie" : "apikey");
    if (limit) await rateLimitUser(deps, c, principal.user);
    // The session slides server-side; keep the browser's cookie alive as long. Only on reads, so a
    // write that ends the session (logout, change-password) answers with nothing but the deletion.
    if (cookie && SAFE_METHODS.has(c.req.method)) setSessionCookie(c, cookie, deps.config.publicUrl);
    await next();
  };
}

/** The credential a request carries (`raw`): the `apikey` header, else the panel cookie (`cookie` set). */
function credentialOf(c: Context, deps: AppDeps): { raw?: string; cookie?: string } {
  const header = c.req.header("apikey")?.trim();
  if (header) return { raw: header };
  const cookie = readSessionCookie(c, deps.config.publicUrl);
  return { raw: cookie, cookie };
}

/**
 * Starts the lookup of the request's credential without deciding anything, for a chain whose first
 * checks (the engine proxy's breaker) read the shared cache too: issued in the same tick, node-redis sends
 * them in one round trip. `requireAuth` later awaits this lookup instead of starting its own; its checks
 * and their order are unchanged (a request the breaker refuses is refused whatever its credential).
 */
export function prefetchCredential(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async function prefetchCredential(c, next) {
    const { raw } = credentialOf(c, deps);
    if (raw) {
      const principal = resolveCredential(deps, raw, { ip: c.get("clientIp") });
      // Nobody awaits it when an earlier check refuses the request; requireAuth sees any failure itself.
      principal.catch(() => {});
      c.set("credentialLookup", { raw, principal });
    }
    await next();
  };
}

// Fixed 60 s window in the shared cache; exactly `rate_limit` requests per window succeed.
async function rateLimitUser(deps: AppDeps, c: Context<AppEnv>, user: SessionUser) {
  if (user.role === "admin" || !user.rateLimit || user.rateLimit <= 0) return;
  const { count, resetMs } = await deps.cache.hit(`rl:user:${user.id}`, RATE_WINDOW_MS);
  const reset = String(Math.max(1, Math.ceil(resetMs / 1000)));
  const headers = {
    "RateLimit-Limit": String(user.rateLimit),
    "RateLimit-Remaining": String(Math.max(0, user.rateLimit - count)),
    "RateLimit-Reset": reset,
  };
  if (count > user.rateLimit) {
    throw fail("rate_limit_exceeded", {}, {
      extra: { limit: user.rateLimit, window: "60s" },
      headers: { ...headers, "Retry-After": reset },
    });
  }
  for (const [k, v] of Object.entries(headers)) c.header(k, v);
}

/** After requireAuth: 403 "Admin access required" for non-admins. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    if (c.get("user")?.role !== "admin") throw fail("admin_required");
    await next();
  };
}

/**
 * After requireAuth: an API key must have one of `allowed` scopes, and a "read" key may only use safe
 * methods. Session credentials always pass.
 */
export function requireScope(...allowed: ApiKeyScope[]): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const key = c.get("apiKey");
    if (key && (!allowed.includes(key.scope) || (key.scope === "read" && !SAFE_METHODS.has(c.req.method)))) {
      throw fail("api_key_scope");
    }
    await next();
  };
}

/** After requireAuth: refuses API keys (change-password, 2FA, API-key management). */
export function requireSessionCredential(): MiddlewareHandler<AppEnv> {
  return async function requireSessionCredential(c, next) {
    if (c.get("apiKey") || c.get("sessionId") === undefined) {
      throw fail("session_required");
    }
    await next();
  };
}
