import type { OpenAPIHono } from "@hono/zod-openapi";
import { requireAuth } from "../../lib/auth/mod.ts";
import { type AppDeps, type AuthEnv, createRouter } from "../../lib/core/mod.ts";

/**
 * The router of the authenticated tenant API (/api/sessions, /api/keys, /api/webhooks, …): every route
 * behind requireAuth, so handlers read `c.var.user` without assertions. /api/auth mixes public routes
 * and applies its own list per route (routes/api/auth/_middleware.ts).
 */
export function tenantRouter(deps: AppDeps): OpenAPIHono<AuthEnv> {
  const router = createRouter<AuthEnv>();
  router.use(requireAuth(deps));
  return router;
}
