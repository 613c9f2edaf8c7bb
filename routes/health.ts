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

/** How long a probe's answer is reused (at most this old plus the probe itself). */
export const HEALTH_REUSE_MS = 250;

/**
 * `GET /health`, mounted there (any method answers, as in TAGUATO-SEND): `SELECT 1` on PostgreSQL (503
 * without it) and a Redis PING. A Redis outage stays 200 so a load balancer keeps the replica, which runs
 * on PostgreSQL and per-process memory meanwhile; the body says "degraded" and names the cache.
 */
export function healthRoutes({ sql, cache, clock }: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  // One probe answers the requests that arrive while it runs, and every request for HEALTH_REUSE_MS after it
  // ends unless the cache's connection has come or gone since: the route is public, so however often it is
  // polled PostgreSQL and Redis see at most about four probes a second (at 25k req/s the probe was a sixth
  // of the route's CPU, #14). A database outage shows within a quarter of a second, a lost Redis at once.
  let probing: Promise<[boolean, boolean]> | undefined;
  let answer: { at: number; up: [boolean, boolean] } | undefined;
  const probe = async () => {
    if (answer && clock.now() - answer.at < HEALTH_REUSE_MS && answer.up[1] === cache.connected()) {
      return answer.up;
    }
    return await (probing ??= Promise.all([databaseAnswers(sql), cache.ping()]).then((up) => {
      answer = { at: clock.now(), up };
      return up;
    }).finally(() => probing = undefined));
  };
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
