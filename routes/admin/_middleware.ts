import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireAdmin, requireAuth } from "../../lib/auth/mod.ts";
import { type AppDeps, type AuthEnv, createRouter } from "../../lib/core/mod.ts";

/**
 * The router every /admin module starts from: the ordered middleware of the folder (an authenticated
 * credential, then the admin role), so each module only declares its relative paths.
 */
export function adminRouter(deps: AppDeps): OpenAPIHono<AuthEnv> {
  const router = createRouter<AuthEnv>();
  router.use(requireAuth(deps), requireAdmin());
  return router;
}
