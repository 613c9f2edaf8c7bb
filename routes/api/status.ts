// GET /api/status (contract §1.2, §6): the public status document, shared through the cache for 15 s
// (`X-Cache: HIT|MISS`), limited per client address; and the monthly SLA report (JSON and CSV).
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  type AppDeps,
  type AppEnv,
  createRouter,
  fail,
  issue,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import { countHit } from "../../lib/gateway/mod.ts";
import { cachedStatus, monthlySla, slaCsv } from "../../lib/status/mod.ts";

// The contract's nginx zone allowed 10 r/s with a burst of 20; one 20-per-second window is its budget.
const STATUS_LIMIT_PER_SECOND = 20;

const route = routeDocs({ tag: "Public", public: true });

const SlaQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, issue("sla_month_invalid")).optional()
    .openapi({ description: "Calendar month in UTC; default the current one", example: "2026-04" }),
});

const SlaRow = z.object({
  service: z.string(),
  uptime: z.number(),
  checks: z.number().int(),
  excluded: z.number().int(),
  avg_ms: z.number().int(),
});

/** Answers the contract's "Too many requests" 429 once an address exceeds its per-second budget. */
async function limitByAddress(deps: AppDeps, c: Context<AppEnv>, bucket: string) {
  const r = await countHit(deps, `rl:${bucket}:${c.var.clientIp}`, STATUS_LIMIT_PER_SECOND, 1_000);
  if (!r.allowed) throw fail("send_rate_limited", {}, { headers: r.headers });
}

const monthOf = (deps: AppDeps, month?: string) =>
  month ?? new Date(deps.clock.now()).toISOString().slice(0, 7);

/** `/api/status` and `/api/status/sla[.csv]` (mounted at /api/status). */
export function statusRoutes(deps: AppDeps) {
  const app = createRouter();

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Public status: services, incidents, maintenance, uptime",
      description: "Computed at most every 15 s across replicas; `X-Cache` says whether this answer was " +
        "computed (MISS) or replayed (HIT, then `cached` is true).",
      responses: { 200: jsonContent(z.record(z.string(), z.unknown()), "The status document") },
      errors: { 429: ["send_rate_limited"] },
    }),
    async (c) => {
      // Hono answers HEAD with the GET handler; the contract answers it 405 like any other method.
      if (c.req.method === "HEAD") throw fail("method_not_allowed");
      await limitByAddress(deps, c, "status");
      const { json, hit } = await cachedStatus(deps);
      return c.body(json, 200, {
        "Content-Type": "application/json; charset=utf-8",
        "X-Cache": hit ? "HIT" : "MISS",
        "Cache-Control": "no-cache",
      }) as never;
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/sla",
      summary: "Monthly SLA per service (maintenance windows excluded)",
      request: { query: SlaQuery },
      responses: {
        200: jsonContent(z.object({ month: z.string(), services: z.array(SlaRow) }), "The month's report"),
      },
      errors: { 400: ["sla_month_invalid"], 429: ["send_rate_limited"] },
    }),
    async (c) => {
      await limitByAddress(deps, c, "status-sla");
      const month = monthOf(deps, c.req.valid("query").month);
      return c.json({ month, services: await monthlySla(deps.sql, month) }, 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/sla.csv",
      summary: "The monthly SLA report as CSV",
      request: { query: SlaQuery },
      responses: {
        200: { description: "CSV, one line per service", content: { "text/csv": { schema: z.string() } } },
      },
      errors: { 400: ["sla_month_invalid"], 429: ["send_rate_limited"] },
    }),
    async (c) => {
      await limitByAddress(deps, c, "status-sla");
      const month = monthOf(deps, c.req.valid("query").month);
      const csv = slaCsv(month, await monthlySla(deps.sql, month));
      return c.body(csv, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename=sla_${month}.csv`,
      }) as never;
    },
  );

  // Any other method on the exact path is a 405.
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/", () => {
    throw fail("method_not_allowed");
  });
  return app;
}
