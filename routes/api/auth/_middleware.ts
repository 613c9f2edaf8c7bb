// /api/auth mixes public routes (login, recovery) with authenticated ones, so its middleware list is not
// a prefix-wide `use`: each authenticated route names it in `createRoute({ middleware })`.
import type { Context } from "hono";
import type { AppDeps, AppEnv, AuthEnv, ErrorCode } from "../../../lib/core/mod.ts";
import { requireAuth, requireSessionCredential } from "../../../lib/auth/mod.ts";
import { auditAs, type AuditEntry } from "../../../lib/accounts/mod.ts";

/**
 * The folder's ordered list: any credential, never rate-limited per user (`signedIn`), and the routes
 * that also need a login session rather than an API key (`sessionOnly`). The 2FA routes answer a
 * missing or bad credential with "Unauthorized" (`unauthorized`).
 */
export function authMiddleware(deps: AppDeps, opts: { unauthorized?: ErrorCode } = {}) {
  const signedIn = requireAuth(deps, { rateLimit: false, unauthorizedCode: opts.unauthorized });
  return { signedIn: [signedIn], sessionOnly: [signedIn, requireSessionCredential()] };
}

/** The OpenAPI tag of login, the own account and 2FA. */
export const AUTH_TAG = "Authentication";

/** Writes an audit row for the request's user (or `who`, null for nobody known), with the client address. */
export function auditFor(
  deps: AppDeps,
  c: Context<AppEnv> | Context<AuthEnv>,
  entry: Omit<AuditEntry, "userId" | "username" | "ip"> & { who?: { id: number; username: string } | null },
) {
  const { who, ...rest } = entry;
  return auditAs(deps.sql, who === undefined ? c.var.user : who, c.var.clientIp, rest);
}
