import { createRoute, z } from "@hono/zod-openapi";
import { type AppDeps, authErrors, createRouter, jsonContent } from "../../lib/core/mod.ts";
import { requireAdmin, requireAuth } from "../../lib/auth/mod.ts";
import { circuitSnapshot } from "../../lib/gateway/mod.ts";

const EngineState = z.object({
  circuit: z.object({
    state: z.enum(["closed", "open", "half_open"]),
    failures: z.number().int(),
    open_until: z.string().nullable(),
  }),
}).openapi("EngineState");

/** `GET /admin/engine`: the engine circuit breaker as every replica sees it (admin only). */
export function adminEngineRoutes(deps: AppDeps) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/engine",
      tags: ["Admin - Engine"],
      security: [{ apikey: [] }],
      middleware: [requireAuth(deps), requireAdmin()],
      summary: "Circuit breaker state of the WhatsApp engine",
      responses: { 200: jsonContent(EngineState, "Breaker state"), ...authErrors(true) },
    }),
    async (c) => c.json({ circuit: await circuitSnapshot(deps) }, 200),
  );
  return app;
}
