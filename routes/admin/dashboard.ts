// GET /admin/dashboard (contract §7.2, read with Evolution v2's shapes): counts, engine instances,
// 30-day uptime, messages, recent activity and reconnections; other methods answer 405.
import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonContent, routeDocs } from "../../lib/core/mod.ts";
import { adminDashboard } from "../../lib/status/mod.ts";
import { adminRouter } from "./_middleware.ts";

const route = routeDocs({ tag: "Admin - Status", admin: true });

const Dashboard = z.object({
  users: z.object({ total: z.number().int(), active: z.number().int() }),
  instances: z.object({
    total_registered: z.number().int(),
    total_evolution: z.number().int().nullable(),
    connected: z.number().int().nullable(),
  }),
  uptime_30d: z.number(),
  messages: z.object({
    today: z.number().int(),
    total: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    delivery_rate: z.number(),
  }),
  daily: z.array(z.object({ day: z.string(), sent: z.number().int(), failed: z.number().int() })),
  recent_activity: z.array(z.object({ type: z.string(), name: z.string(), created_at: z.string() })),
  recent_reconnections: z.array(z.record(z.string(), z.unknown())),
}).openapi("AdminDashboard");

/** `/admin/dashboard` (mounted there). */
export function adminDashboardRoutes(deps: AppDeps) {
  const app = adminRouter(deps);
  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "The admin dashboard's figures",
      description: "`connected` counts the engine's instances whose connectionStatus is open; the engine " +
        "figures are null when it does not answer within 5 s.",
      responses: { 200: jsonContent(Dashboard, "Figures") },
    }),
    async (c) => c.json(await adminDashboard(deps), 200) as never,
  );
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/", () => {
    throw fail("method_not_allowed");
  });
  return app;
}
