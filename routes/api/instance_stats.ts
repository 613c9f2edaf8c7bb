// GET /api/instance/stats/{name} (contract §7.3), fixed (§14 #27): owners, grantees and admins see the
// instance's own numbers (every sender's rows since it was registered, not only the caller's), and
// registered_at for all of them. Timestamps are ISO 8601 with a zone; the 7 days are always all there.
import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonContent, pathParam, routeDocs } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { keyAllowsInstance } from "../../lib/gateway/mod.ts";
import { instanceStats } from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const Stats = z.object({
  instance_name: z.string(),
  total: z.number().int().openapi({ description: "Outbound messages" }),
  sent: z.number().int().openapi({ description: "Accepted by the engine (sent, delivered, read, played)" }),
  delivered: z.number().int().openapi({ description: "Delivered or read" }),
  read: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  delivery_rate: z.number().int().openapi({ description: "floor(sent / total × 100); 0 without messages" }),
  registered_at: z.string().nullable(),
  recent_errors: z.array(z.object({
    phone_number: z.string(),
    message_type: z.string(),
    error_message: z.string().nullable(),
    created_at: z.string(),
  })).openapi({ description: "Last 10 failed sends" }),
  reconnections: z.array(z.object({
    previous_state: z.string().nullable(),
    action: z.string(),
    result: z.string(),
    error_message: z.string().nullable(),
    created_at: z.string(),
  })).openapi({ description: "Last 20 reconnect attempts of the worker" }),
  daily: z.array(z.object({
    day: z.string().openapi({ example: "2026-04-18" }),
    total: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    failed: z.number().int(),
    delivery_rate: z.number().int().openapi({ description: "floor(delivered / total × 100)" }),
    read_rate: z.number().int().openapi({ description: "floor(read / total × 100)" }),
  })).openapi({ description: "The last 7 UTC days, oldest first, days without messages included" }),
}).openapi("InstanceStats");

const route = routeDocs({ tag: "Instances" });

/** /api/instance/stats/{name} (mounted at /api/instance); any other path below is 405 (not GET) or 400. */
export function instanceStatsRoutes(deps: AppDeps) {
  const app = tenantRouter(deps);
  // Authentication before the method and name checks, as behind the contract's auth middleware.
  app.use(requireScope("full", "read"));

  app.openapi(
    route({
      method: "get",
      path: "/stats/{name}",
      summary: "Send statistics of an instance I own or was granted (admins: any)",
      request: { params: z.object({ name: pathParam("name", "acme-sales") }) },
      responses: {
        200: jsonContent(Stats, "Statistics"),
        403: jsonContent(z.object({ error: z.string() }), "Instance not found or not owned by you"),
      },
      errors: { 400: ["stats_instance_required"], 405: ["method_not_allowed"] },
    }),
    async (c) => {
      const name = c.req.valid("param").name;
      if (name === "") throw fail("stats_instance_required");
      const stats = keyAllowsInstance(c.var.apiKey, name)
        ? await instanceStats(deps.sql, c.var.user, name)
        : null;
      if (!stats) throw fail("stats_instance_not_yours");
      return c.json({
        instance_name: name,
        total: stats.total,
        sent: stats.sent,
        delivered: stats.delivered,
        read: stats.read,
        failed: stats.failed,
        cancelled: stats.cancelled,
        delivery_rate: stats.delivery_rate,
        registered_at: stats.registeredAt?.toISOString() ?? null,
        recent_errors: stats.recent_errors,
        reconnections: stats.reconnections,
        daily: stats.daily,
      }, 200);
    },
  );

  app.all("*", (c) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") throw fail("method_not_allowed");
    throw fail("stats_instance_required");
  });
  return app;
}
