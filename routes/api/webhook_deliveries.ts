// /api/webhooks/{id}/deliveries: the tenant's delivery log (every attempt) and redelivery.
import { Hono } from "hono";
import { z } from "zod";
import { type AppDeps, type AppEnv, badRequest, notFound } from "../../lib/core/mod.ts";
import { findWebhook, redeliver } from "../../lib/webhooks/mod.ts";
import { webhookId } from "./webhooks.ts";

const positive = /^(?!0+$)[0-9]{1,9}$/;
const PageQuery = z.object({
  page: z.string().regex(positive, "page must be a positive integer").optional(),
  limit: z.string().regex(positive, "limit must be a positive integer").optional(),
});

/** `page`/`limit` of the contract's paginated lists (default 50, clamped to 100); 400 on garbage. */
export function pageOf(query: Record<string, string>) {
  const q = PageQuery.safeParse(query);
  if (!q.success) throw badRequest(q.error.issues[0].message);
  const page = Number(q.data.page ?? 1);
  const limit = Math.min(Number(q.data.limit ?? 50), 100);
  return { page, limit, offset: (page - 1) * limit };
}

/** Mounts the delivery log routes (auth is applied by webhookRoutes). */
export function webhookDeliveryRoutes(deps: AppDeps, kick: (deps: AppDeps) => void): Hono<AppEnv> {
  const { sql } = deps;
  const app = new Hono<AppEnv>();

  app.get("/api/webhooks/:id/deliveries", async (c) => {
    const hook = await findWebhook(sql, c.var.user!.id, webhookId(c.req.param("id")));
    if (!hook) throw notFound("Webhook not found");
    const { page, limit, offset } = pageOf(c.req.query());
    const [{ total }] = await sql<{ total: number }[]>`
      SELECT count(*)::int AS total FROM taguato.webhook_deliveries WHERE webhook_id = ${hook.id}`;
    const deliveries = await sql`
      SELECT d.id, d.event, d.status, d.attempt_count, d.next_attempt_at, d.last_status_code, d.last_error,
        d.redelivery_of, d.created_at, d.updated_at,
        COALESCE((
          SELECT json_agg(json_build_object(
            'attempt', a.attempt, 'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms,
            'next_attempt_at', a.next_attempt_at, 'created_at', a.created_at) ORDER BY a.attempt)
          FROM taguato.webhook_delivery_attempts AS a WHERE a.delivery_id = d.id
        ), '[]'::json) AS attempts
      FROM taguato.webhook_deliveries AS d
      WHERE d.webhook_id = ${hook.id}
      ORDER BY d.id DESC
      LIMIT ${limit} OFFSET ${offset}`;
    return c.json({ deliveries, total, page, limit, pages: Math.ceil(total / limit) });
  });

  app.post("/api/webhooks/:id/deliveries/:deliveryId/redeliver", async (c) => {
    const hook = await findWebhook(sql, c.var.user!.id, webhookId(c.req.param("id")));
    if (!hook) throw notFound("Webhook not found");
    const raw = c.req.param("deliveryId");
    const row = /^[0-9]{1,15}$/.test(raw)
      ? await redeliver(deps, c.var.user!.id, hook.id, Number(raw))
      : null;
    if (!row) throw notFound("Delivery not found");
    kick(deps);
    return c.json({ delivery: { id: row.id, redelivery_of: Number(raw), status: "pending" } }, 202);
  });

  return app;
}
