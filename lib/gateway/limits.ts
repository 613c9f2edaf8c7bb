/**
 * Rate limits of the proxied engine routes (contract §3.1), as fixed windows in the shared cache so
 * every replica counts together:
 * - per user: `users.rate_limit` requests per 60 s; admins are not exempt here (contract §1.1 B).
 * - per client IP for sends (`/message/*`): SEND_RATE_LIMIT_PER_SECOND per second (the contract's nginx
 *   `limit_req` answered 503; we answer 429).
 * Every answer carries RateLimit-Limit/-Remaining/-Reset; a 429 also carries Retry-After.
 */
import type { Context } from "hono";
import { type AppDeps, type AppEnv, fail, type SessionUser } from "../core/mod.ts";

type Deps = Pick<AppDeps, "cache" | "config">;

export interface WindowResult {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Counts one hit in a fixed window of `windowMs` and says whether it is within `limit`. */
export async function countHit(
  deps: Deps,
  key: string,
  limit: number,
  windowMs: number,
): Promise<WindowResult> {
  const { count, resetMs } = await deps.cache.hit(key, windowMs);
  const reset = String(Math.max(1, Math.ceil(resetMs / 1000)));
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(limit),
    "RateLimit-Remaining": String(Math.max(0, limit - count)),
    "RateLimit-Reset": reset,
  };
  if (count <= limit) return { allowed: true, headers };
  return { allowed: false, headers: { ...headers, "Retry-After": reset } };
}

const USER_WINDOW_MS = 60_000;
const SEND_WINDOW_MS = 1_000;

/**
 * The per-user limit of the proxied routes; a separate counter from the gateway endpoints' (which
 * exempt admins). Returns the headers to add to the response, or throws the contract's 429.
 */
export async function limitUser(deps: Deps, user: SessionUser): Promise<Record<string, string>> {
  const limit = user.rateLimit;
  if (!limit || limit <= 0) return {};
  const r = await countHit(deps, `rl:proxy:${user.id}`, limit, USER_WINDOW_MS);
  if (!r.allowed) throw fail("rate_limit_exceeded", {}, { extra: { limit }, headers: r.headers });
  return r.headers;
}

/** The per-client-IP send limit; throws `429 {"error":"Too many requests","limit":n,"window":"1s"}`. */
export async function limitSendsByIp(deps: Deps, ip: string): Promise<void> {
  const limit = deps.config.sendRateLimitPerSecond;
  const r = await countHit(deps, `rl:send-ip:${ip}`, limit, SEND_WINDOW_MS);
  if (!r.allowed) {
    throw fail("send_rate_limited", {}, { extra: { limit, window: "1s" }, headers: r.headers });
  }
}

/** Copies rate-limit headers onto a finished response (proxied responses are built by hand). */
export function withHeaders(c: Context<AppEnv>, headers: Record<string, string>): void {
  for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
}
