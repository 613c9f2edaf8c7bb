import { z } from "@hono/zod-openapi";
import { type AppDeps, jsonContent, routeDocs } from "../../lib/core/mod.ts";
import { circuitSnapshot } from "../../lib/gateway/mod.ts";
import { adminRouter } from "./_middleware.ts";

const EngineState = z.object({
  circuit: z.object({
    state: z.enum(["closed", "open", "half_open"]),
    failures: z.number().int(),
    open_until: z.string().nullable(),
  }),
}).openapi("EngineState");

const route = routeDocs({ tag: "Admin - Engine", admin: true });

/** `GET /admin/engine` (mounted at /admin/engine): the engine circuit breaker as every replica sees it. */
export function adminEngineRoutes(deps: AppDeps) {
  const app = adminRouter(deps);
  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Circuit breaker state of the WhatsApp engine",
      responses: { 200: jsonContent(EngineState, "Breaker state") },
    }),
    async (c) => c.json({ circuit: await circuitSnapshot(deps) }, 200),
  );
  return app;
}
