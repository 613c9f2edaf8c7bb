import { Hono } from "hono";
import { resolveCredential } from "../lib/auth/mod.ts";
import { type AppDeps, type AppEnv, fail, proxyMatcher } from "../lib/core/mod.ts";
import { renderMetrics } from "../lib/ops/mod.ts";

/**
 * `GET /metrics` (Prometheus text format): for an allow-listed scraper address (METRICS_ALLOW) or a
 * caller with an admin session/unrestricted admin key in the `apikey` header (or `Authorization: Bearer`,
 * which Prometheus' scrape config sends).
 */
export function metricsRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // Same CIDR matching as the trusted proxies; the config already rejected entries that are not CIDRs.
  const allowed = proxyMatcher(deps.config.metricsAllow);
  app.get("/", async (c) => {
    const ip = c.get("clientIp");
    if (!allowed(ip)) {
      const raw = c.req.header("apikey")?.trim() || c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
      const who = raw ? await resolveCredential(deps, raw, { ip }) : null;
      const key = who?.apiKey;
      const admin = who && who.user.isActive && who.user.role === "admin" &&
        (!key || (key.scope === "full" && key.instanceNames === null));
      if (!admin) throw fail("metrics_forbidden");
    }
    const { body, contentType } = await renderMetrics(deps);
    return c.body(body, 200, { "content-type": contentType, "cache-control": "no-store" });
  });
  return app;
}
