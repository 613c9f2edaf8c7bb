// GET /api/usage: the caller's message quota (daily and monthly caps an admin set) and what is used of it.
import { z } from "@hono/zod-openapi";
import { type AppDeps, jsonContent, routeDocs } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { quotaUsage } from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const Period = z.object({
  used: z.number().int(),
  limit: z.number().int().nullable().openapi({ description: "null: no cap" }),
  remaining: z.number().int().nullable(),
  percent: z.number().int().nullable().openapi({ description: "floor(used / limit × 100)" }),
  resets_at: z.string().openapi({ description: "Start of the next UTC day or month" }),
});
export const UsageSchema = z.object({ daily: Period, monthly: Period }).openapi("Usage");

const route = routeDocs({ tag: "Usage" });

/** /api/usage (mounted there). */
export function usageRoutes(deps: AppDeps) {
  const app = tenantRouter(deps);
  app.openapi(
    route({
      method: "get",
      path: "/",
      middleware: [requireScope("full", "read", "send")],
      summary: "My message quota and usage (sends past a cap get 429)",
      description: "A warning (e-mail and a `quota.warning` webhook event) goes out once per period at 80 %.",
      responses: { 200: jsonContent(UsageSchema, "Usage") },
    }),
    async (c) => c.json(await quotaUsage(deps, c.var.user.id), 200),
  );
  return app;
}
