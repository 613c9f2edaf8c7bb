// GET /api/user/dashboard (contract §7.1): the caller's message counts, accepted and read shares, instances,
// and a per-day series with delivery and read rates, computed in SQL over one index (lib/messaging/stats.ts).
import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonContent, routeDocs } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { userDashboard } from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const int = (description: string) => z.number().int().openapi({ description });
const Dashboard = z.object({
  messages_today: int("Outbound messages in the last 24 h (rolling)"),
  messages_week: int("… last 7 days"),
  messages_month: int("… last 30 days"),
  messages_total: int("All my outbound messages"),
  delivery_rate: int("floor(accepted / total × 100): accepted = sent, delivered, read or played"),
  read_rate: int("floor(read / total × 100)"),
  instances: int("Instances I own"),
  max_instances: int("My instance limit"),
  daily: z.array(z.object({
    day: z.string().openapi({ example: "2026-04-18" }),
    count: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    failed: z.number().int(),
    delivery_rate: int("floor(delivered / count × 100)"),
    read_rate: int("floor(read / count × 100)"),
  })).openapi({ description: "The last `days` UTC days, oldest first, days without messages included" }),
}).openapi("UserDashboard");

const DAYS_MAX = 90;
const route = routeDocs({ tag: "Dashboards" });

/** /api/user/dashboard (mounted at /api/user); any other method on it is 405. */
export function dashboardRoutes(deps: AppDeps) {
  const app = tenantRouter(deps);
  app.openapi(
    route({
      method: "get",
      path: "/dashboard",
      middleware: [requireScope("full", "read")],
      summary: "My dashboard: message counts, rates and the daily series",
      request: {
        query: z.object({
          days: z.string().optional().openapi({
            param: { name: "days", in: "query" },
            description: `Length of the daily series, 1 to ${DAYS_MAX} (default 7)`,
          }),
        }),
      },
      responses: { 200: jsonContent(Dashboard, "Dashboard") },
      errors: { 400: ["number_range"], 405: ["method_not_allowed"] },
    }),
    async (c) => {
      const raw = c.req.valid("query").days;
      const days = raw === undefined ? 7 : Number(raw);
      if (!Number.isInteger(days) || days < 1 || days > DAYS_MAX || !/^\d+$/.test(raw ?? "7")) {
        throw fail("number_range", { field: "days", min: 1, max: DAYS_MAX });
      }
      return c.json(await userDashboard(deps.sql, c.var.user.id, new Date(deps.clock.now()), days), 200);
    },
  );
  app.all("/dashboard", () => {
    throw fail("method_not_allowed");
  });
  return app;
}
