// GET /api/status (contract §1.2, §6): the public status document, shared through the cache for 15 s
// (`X-Cache: HIT|MISS`), limited per client address; the monthly SLA report (JSON and CSV); and the
// e-mail subscriptions (double opt-in, one-click unsubscribe).
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
import {
  cachedStatus,
  confirmSubscription,
  monthlySla,
  slaCsv,
  subscribe,
  unsubscribe,
} from "../../lib/status/mod.ts";
import { EmailSchema } from "../../lib/accounts/mod.ts";

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

/** Answers the contract's "Too many requests" 429 once an address exceeds its budget. */
async function limitByAddress(
  deps: AppDeps,
  c: Context<AppEnv>,
  bucket: string,
  limit = STATUS_LIMIT_PER_SECOND,
  windowMs = 1_000,
) {
  const r = await countHit(deps, `rl:${bucket}:${c.var.clientIp}`, limit, windowMs);
  if (!r.allowed) throw fail("send_rate_limited", {}, { headers: r.headers });
}

const SubscribeBody = z.object({
  // EmailSchema reads "" as "no address" (null), which a subscription cannot be.
  email: EmailSchema.refine((v) => typeof v === "string" && v !== "", issue("email_invalid")),
  service_ids: z.array(
    z.number({ error: issue("service_ids_invalid") }).int(issue("service_ids_invalid"))
      .positive(issue("service_ids_invalid")),
    { error: issue("service_ids_invalid") },
  )
    .max(100, issue("service_ids_invalid")).optional()
    .openapi({ description: "Services to follow (ids of /admin/incidents/services); omitted = all" }),
  locale: z.enum(["es", "en"], { error: issue("invalid_request") }).optional(),
}).openapi("StatusSubscribe");

const TokenQuery = z.object({
  token: z.string().regex(/^[0-9a-f]{64}$/, issue("subscription_link_invalid")),
});

// Subscriptions send mail to whatever address is typed: a tight budget per client address.
const SUBSCRIBE_LIMIT = 5;
const SUBSCRIBE_WINDOW_MS = 600_000;

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

  app.openapi(
    route({
      method: "post",
      path: "/subscribe",
      summary: "Follow the status by e-mail (a confirmation link is mailed first)",
      description: "Always 202 for a valid address (it never says whether the address was known).",
      request: { body: { required: true, content: { "application/json": { schema: SubscribeBody } } } },
      responses: { 202: jsonContent(z.object({ message: z.string() }), "Confirmation mailed if needed") },
      errors: {
        400: "Invalid e-mail or services",
        429: ["send_rate_limited"],
        503: ["subscriptions_unavailable"],
      },
    }),
    async (c) => {
      if (!deps.config.smtp) throw fail("subscriptions_unavailable");
      await limitByAddress(deps, c, "status-subscribe", SUBSCRIBE_LIMIT, SUBSCRIBE_WINDOW_MS);
      const b = c.req.valid("json");
      const locale = b.locale ?? c.var.locale ?? "es";
      await subscribe(deps, {
        email: b.email as string,
        serviceIds: b.service_ids?.length ? b.service_ids : null,
        locale,
      });
      return c.json({ message: "Check your inbox to confirm the subscription" }, 202);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/subscribe/confirm",
      summary: "The confirmation link: activates the subscription and opens the status page",
      request: { query: TokenQuery },
      responses: { 303: { description: "To /status/?subscription=confirmed" } },
      errors: { 404: ["subscription_link_invalid"] },
    }),
    async (c) => {
      if (!await confirmSubscription(deps.sql, c.req.valid("query").token)) {
        throw fail("subscription_link_invalid");
      }
      return c.redirect("/status/?subscription=confirmed", 303) as never;
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/unsubscribe",
      summary: "The unsubscribe link of every notice",
      request: { query: TokenQuery },
      responses: { 303: { description: "To /status/?subscription=removed" } },
      errors: { 404: ["subscription_link_invalid"] },
    }),
    async (c) => {
      if (!await unsubscribe(deps.sql, c.req.valid("query").token)) throw fail("subscription_link_invalid");
      return c.redirect("/status/?subscription=removed", 303) as never;
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/unsubscribe",
      summary: "RFC 8058 one-click unsubscribe (what mail clients POST)",
      request: { query: TokenQuery },
      responses: { 200: jsonContent(z.object({ message: z.string() }), "Unsubscribed") },
      errors: { 404: ["subscription_link_invalid"] },
    }),
    async (c) => {
      if (!await unsubscribe(deps.sql, c.req.valid("query").token)) throw fail("subscription_link_invalid");
      return c.json({ message: "Unsubscribed" }, 200);
    },
  );

  // Any other method on the exact path is a 405.
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/", () => {
    throw fail("method_not_allowed");
  });
  return app;
}
