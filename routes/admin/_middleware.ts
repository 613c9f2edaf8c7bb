import type { MiddlewareHandler } from "hono";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin, requireAuth } from "../../lib/auth/mod.ts";
import { type AppDeps, type AppEnv, type AuthEnv, createRouter, fail } from "../../lib/core/mod.ts";

/**
 * Admin powers reach every user and instance, so a key narrowed to some instances or to read/send must
 * not carry them: otherwise a key meant for one instance could create another admin.
 */
function requireUnrestrictedKey(): MiddlewareHandler<AppEnv> {
  return async function requireUnrestrictedKey(c, next) {
    const key = c.get("apiKey");
    if (key && (key.scope !== "full" || key.instanceNames !== null)) throw fail("admin_key_restricted");
    await next();
  };
}

/**
 * The router every /admin module starts from: the ordered middleware of the folder (an authenticated
 * credential, the admin role, and a session or unrestricted full key), so each module only declares its
 * relative paths.
 */
export function adminRouter(deps: AppDeps): OpenAPIHono<AuthEnv> {
  const router = createRouter<AuthEnv>();
  router.use(requireAuth(deps), requireAdmin(), requireUnrestrictedKey());
  return router;
}
