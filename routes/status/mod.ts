// The public status page (contract §13.4): server-rendered from the same cached document as
// GET /api/status (with 90 daily bars), Spanish or English (`?lang=` or the panel's language), and the
// monthly SLA report. /status answers 301 to /status/.
import { Hono } from "hono";
import { type AppDeps, type AppEnv, fail, isLocale, locale } from "../../lib/core/mod.ts";
import { countHit } from "../../lib/gateway/mod.ts";
import { cachedStatus, listActiveServices, monthlySla, type StatusDocument } from "../../lib/status/mod.ts";
import { statusPage } from "./page.tsx";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
// As in the panel: Hono joins the mount point and "/" into "/status", so the page's canonical URL (with
// the slash) is matched by an always-empty parameter.
const PAGE_ROUTE = "/:page{.{0}}";

/** `/status` and `/status/` (mounted at /status). */
export function statusPageRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get("", (c) => c.redirect("/status/", 301));
  app.get(PAGE_ROUTE, locale(), async (c) => {
    const r = await countHit(deps, `rl:status-page:${c.var.clientIp}`, 20, 1_000);
    if (!r.allowed) throw fail("send_rate_limited", {}, { headers: r.headers });
    const lang = c.req.query("lang");
    const loc = isLocale(lang) ? lang : c.var.locale;
    const now = deps.clock.now();
    const asked = c.req.query("month");
    const month = asked && MONTH.test(asked) ? asked : new Date(now).toISOString().slice(0, 7);
    const [{ json }, sla, services] = await Promise.all([
      cachedStatus(deps, 90),
      monthlySla(deps.sql, month),
      deps.config.smtp ? listActiveServices(deps.sql) : null,
    ]);
    const doc = JSON.parse(json) as StatusDocument;
    const subscription = c.req.query("subscription");
    const html = await statusPage({
      locale: loc,
      doc,
      now,
      month,
      sla,
      subscribe: services && services.map((s) => ({ id: s.id, name: s.name })),
      notice: subscription === "confirmed" || subscription === "removed" ? subscription : undefined,
    });
    return c.html(html, 200, { "Cache-Control": "no-store" });
  });
  return app;
}
