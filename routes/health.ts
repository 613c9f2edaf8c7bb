import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppDeps, type AppEnv, databaseAnswers } from "../lib/core/mod.ts";

const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  gateway: z.literal("taguato"),
  db: z.enum(["connected", "disconnected"]),
  /** "memory" when no Redis is configured; "unavailable" while Redis is down (sessions, limits and the
   * breaker then run from PostgreSQL and per-process memory). */
  cache: z.enum(["connected", "memory", "unavailable"]),
}).openapi("Health");

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Public"],
  summary: "Liveness, database and cache reachability",
  responses: {
    200: {
      description:
        'Gateway and database are up; "status":"degraded" with "cache":"unavailable" while Redis is down',
      content: { "application/json": { schema: Health } },
    },
    503: { description: "The database does not answer", content: { "application/json": { schema: Health } } },
  },
});

/**
 * `GET /health`, mounted there (any method answers, as in TAGUATO-SEND): `SELECT 1` on PostgreSQL (503
 * without it) and a Redis PING. A Redis outage stays 200 so a load balancer keeps the replica, which runs
 * on PostgreSQL and per-process memory meanwhile; the body says "degraded" and names the cache.
 */
export function healthRoutes({ sql, cache }: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  // Requests that arrive while a probe runs share its answer (a load balancer polling several times at
  // once costs one SELECT 1 and one PING); an answer is never older than the probe in flight at arrival.
  let probing: Promise<[boolean, boolean]> | undefined;
  const probe = () =>
    probing ??= Promise.all([databaseAnswers(sql), cache.ping()]).finally(() => probing = undefined);
  const handler = async (c: Context<AppEnv>) => {
    const [dbUp, cacheUp] = await probe();
    const cacheState = cache.kind === "memory"
      ? "memory" as const
      : cacheUp
      ? "connected" as const
      : "unavailable" as const;
    const body = {
      status: dbUp && cacheState !== "unavailable" ? "ok" as const : "degraded" as const,
      gateway: "taguato" as const,
      db: dbUp ? "connected" as const : "disconnected" as const,
      cache: cacheState,
    };
    return dbUp ? c.json(body, 200) : c.json(body, 503);
  };
  app.openapi(route, handler);
  app.all("/", handler);
  return app;
}
