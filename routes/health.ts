import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppDeps, type AppEnv, databaseAnswers } from "../lib/core/mod.ts";

const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  gateway: z.literal("taguato"),
  db: z.enum(["connected", "disconnected"]),
}).openapi("Health");

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Public"],
  summary: "Liveness and database reachability",
  responses: {
    200: { description: "Gateway and database are up", content: { "application/json": { schema: Health } } },
    503: { description: "The database does not answer", content: { "application/json": { schema: Health } } },
  },
});

/** `GET /health`, mounted there (any method answers, as in TAGUATO-SEND): runs `SELECT 1` against PostgreSQL. */
export function healthRoutes({ sql }: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const handler = async (c: Context<AppEnv>) => {
    return await databaseAnswers(sql)
      ? c.json({ status: "ok" as const, gateway: "taguato" as const, db: "connected" as const }, 200)
      : c.json(
        { status: "degraded" as const, gateway: "taguato" as const, db: "disconnected" as const },
        503,
      );
  };
  app.openapi(route, handler);
  app.all("/", handler);
  return app;
}
