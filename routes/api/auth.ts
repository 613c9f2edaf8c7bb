import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../../lib/core/mod.ts";
import { accountRoutes } from "./auth/account.ts";
import { loginRoutes } from "./auth/login.ts";
import { twoFactorRoutes } from "./auth/two_factor.ts";

/**
 * `/api/auth/*` (contract §1.3): login, the logged-in account, logout, and TOTP 2FA. Each route
 * authenticates itself; none is rate-limited per user. Mounted at the app root.
 */
export function authRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  app.route("/", loginRoutes(deps));
  app.route("/", accountRoutes(deps));
  app.route("/", twoFactorRoutes(deps));
  return app;
}
