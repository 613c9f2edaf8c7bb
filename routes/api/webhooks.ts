// /api/webhooks (contract §1.6, §9), fixed: the gateway delivers tenant webhooks itself, events are checked
// against the engine's v2 names on create and update, each webhook has a signing secret shown once, and a
// tenant only ever sees its own rows (another tenant's id is "Webhook not found").
import type { Context } from "hono";
import type { OpenAPIHono } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AppEnv,
  badRequest,
  checkWebhookUrl,
  conflict,
  createRouter,
  forbidden,
  INVALID_JSON,
  notFound,
} from "../../lib/core/mod.ts";
import { documentWebhookRoutes } from "./ledger_docs.ts";
import { apiKeyAllowsInstance, requireAuth, requireScope } from "../../lib/auth/mod.ts";
import { ensureGatewayWebhook } from "../../lib/messaging/mod.ts";
import { kickWebhookDispatcher } from "../../workers/webhook_dispatch.ts";
import {
  canUseInstance,
  eventsProblem,
  findWebhook,
  newWebhookSecret,
  type WebhookRow,
} from "../../lib/webhooks/mod.ts";
import { webhookDeliveryRoutes } from "./webhook_deliveries.ts";

const NOT_FOUND = "Webhook not found";

/** The JSON object body, or 400 "Invalid JSON body". */
export async function readObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest(INVALID_JSON);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest(INVALID_JSON);
  return body as Record<string, unknown>;
}

/** A webhook id from the path, or 404 (an id that cannot exist names nothing). */
export function webhookId(raw: string): number {
  if (!/^[0-9]{1,15}$/.test(raw) || Number(raw) < 1) throw notFound(NOT_FOUND);
  return Number(raw);
}

const view = (w: WebhookRow) => ({
  id: w.id,
  instance_name: w.instance_name,
  webhook_url: w.webhook_url,
  events: w.events,
  is_active: w.is_active,
  created_at: w.created_at,
  updated_at: w.updated_at,
});

/** Mounts /api/webhooks*. */
export function webhookRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { sql } = deps;
  const app = createRouter();
  documentWebhookRoutes(app);
  app.use("/api/webhooks", requireAuth(deps), requireScope("full", "read"));
  app.use("/api/webhooks/*", requireAuth(deps), requireScope("full", "read"));

  // The engine must send the instance every event its tenant webhooks want; failing that is not the
  // tenant's error (the instance may be down), so it is logged and retried by the next change.
  const resync = async (instance: string) => {
    try {
      await ensureGatewayWebhook(deps, instance);
    } catch (err) {
      deps.log.warn("engine webhook sync failed", { instance, error: String(err) });
    }
  };

  app.get("/api/webhooks", async (c) => {
    const rows = await sql<WebhookRow[]>`
      SELECT id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at
      FROM taguato.user_webhooks WHERE user_id = ${c.var.user!.id} ORDER BY created_at DESC, id DESC`;
    return c.json({ webhooks: rows.map(view) });
  });

  app.post("/api/webhooks", async (c) => {
    const user = c.var.user!;
    const b = await readObject(c);
    const instance = typeof b.instance_name === "string" ? b.instance_name.trim() : "";
    if (!instance) throw badRequest("instance_name is required");
    if (typeof b.webhook_url !== "string" || b.webhook_url.trim() === "") {
      throw badRequest("webhook_url is required");
    }
    const url = b.webhook_url.trim();
    const urlProblem = await checkWebhookUrl(url, deps.config.webhookAllowPrivate);
    if (urlProblem) throw badRequest(urlProblem);
    const events = b.events ?? [];
    const evProblem = eventsProblem(events);
    if (evProblem) throw badRequest(evProblem);
    if (!await canUseInstance(sql, user, instance) || !apiKeyAllowsInstance(c, instance)) {
      throw forbidden("You do not own this instance");
    }
    const { secret, sealed } = await newWebhookSecret(deps);
    let row: WebhookRow;
    try {
      [row] = await sql<WebhookRow[]>`
        INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events, secret_enc)
        VALUES (${user.id}, ${instance}, ${url}, ${[...new Set(events as string[])]}, ${sealed})
        RETURNING id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at`;
    } catch (err) {
      if ((err as { code?: string }).code === "23505") {
        throw conflict("Webhook already exists for this instance");
      }
      throw err;
    }
    await resync(instance);
    // The secret is shown this once; only its sealed form is stored.
    return c.json({ webhook: { ...view(row), secret } }, 201);
  });

  app.put("/api/webhooks/:id", async (c) => {
    const user = c.var.user!;
    const current = await findWebhook(sql, user.id, webhookId(c.req.param("id")));
    if (!current) throw notFound(NOT_FOUND);
    const b = await readObject(c);
    let url: string | null = null;
    if (b.webhook_url !== undefined) {
      if (typeof b.webhook_url !== "string" || b.webhook_url.trim() === "") {
        throw badRequest("webhook_url cannot be empty");
      }
      url = b.webhook_url.trim();
      const problem = await checkWebhookUrl(url, deps.config.webhookAllowPrivate);
      if (problem) throw badRequest(problem);
    }
    let events: string[] | null = null;
    if (b.events !== undefined) {
      const problem = eventsProblem(b.events);
      if (problem) throw badRequest(problem);
      events = [...new Set(b.events as string[])];
    }
    if (b.is_active !== undefined && typeof b.is_active !== "boolean") {
      throw badRequest("is_active must be a boolean");
    }
    const active = b.is_active as boolean | undefined;
    if (url === null && events === null && active === undefined) throw badRequest("No fields to update");
    const [row] = await sql<WebhookRow[]>`
      UPDATE taguato.user_webhooks SET
        webhook_url = COALESCE(${url}, webhook_url),
        events = COALESCE(${events}::text[], events),
        is_active = COALESCE(${active ?? null}, is_active),
        retry_count = CASE WHEN ${active === true} THEN 0 ELSE retry_count END,
        updated_at = now()
      WHERE id = ${current.id} AND user_id = ${user.id}
      RETURNING id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at`;
    if (!row) throw notFound(NOT_FOUND);
    if (events !== null || active !== undefined) await resync(row.instance_name);
    return c.json({ webhook: { ...view(row), retry_count: row.retry_count } });
  });

  app.delete("/api/webhooks/:id", async (c) => {
    const [row] = await sql<{ id: number; instance_name: string }[]>`
      DELETE FROM taguato.user_webhooks WHERE id = ${webhookId(c.req.param("id"))} AND user_id = ${
      c.var.user!.id
    }
      RETURNING id, instance_name`;
    if (!row) throw notFound(NOT_FOUND);
    await resync(row.instance_name);
    return c.json({ deleted: { id: row.id } });
  });

  // A lost secret is replaced, never shown again; pending retries are signed with the new one.
  app.post("/api/webhooks/:id/secret", async (c) => {
    const { secret, sealed } = await newWebhookSecret(deps);
    const [row] = await sql<{ id: number }[]>`
      UPDATE taguato.user_webhooks SET secret_enc = ${sealed}, updated_at = now()
      WHERE id = ${webhookId(c.req.param("id"))} AND user_id = ${c.var.user!.id}
      RETURNING id`;
    if (!row) throw notFound(NOT_FOUND);
    return c.json({ webhook: { id: row.id, secret } });
  });

  app.route("/", webhookDeliveryRoutes(deps, kickWebhookDispatcher));
  return app;
}
