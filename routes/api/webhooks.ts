// /api/webhooks (contract §1.6, §9), fixed: the gateway delivers tenant webhooks itself, events are checked
// against the engine's v2 names on create and update, each webhook has a signing secret shown once, and a
// tenant only ever sees its own rows (another tenant's id is "Webhook not found"). The handlers validate by
// hand, in the contract's message order, so the routes are declared with `documented`.
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  checkWebhookUrl,
  fail,
  idOr404,
  idPath,
  jsonBody,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { keyAllowsInstance } from "../../lib/gateway/mod.ts";
import { ensureGatewayWebhook } from "../../lib/messaging/mod.ts";
import { kickWebhookDispatcher } from "../../workers/webhook_dispatch.ts";
import {
  canUseInstance,
  createWebhook,
  deleteWebhook,
  eventsProblem,
  findWebhook,
  listWebhooks,
  newWebhookSecret,
  replaceWebhookSecret,
  updateWebhook,
  WEBHOOK_EVENTS,
  webhookView,
} from "../../lib/webhooks/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import { documented, readObject } from "./_manual.ts";
import { webhookDeliveryRoutes } from "./webhook_deliveries.ts";

/** A webhook id from the path, or 404 (an id that cannot exist names nothing). */
export const webhookId = (raw: string | undefined) => idOr404(raw ?? "", "webhook_not_found");

/** A webhook URL the guard accepts, or its 400 (its addresses are checked at each delivery). */
function checkedUrl(deps: AppDeps, url: string): string {
  const problem = checkWebhookUrl(url, deps.config.webhookAllowPrivate);
  if (problem) throw fail(problem);
  return url;
}

/** A valid events list, or its 400. */
function checkedEvents(events: unknown): string[] {
  const problem = eventsProblem(events);
  if (problem) throw fail(problem.code, problem.params);
  return events as string[];
}

const route = routeDocs({ tag: "Webhooks" });
const scope = [requireScope("full", "read")];
const idParams = idPath("1");
const Events = z.array(z.enum(WEBHOOK_EVENTS)).openapi({
  description: "Engine v2 event names; [] = every event",
});
const Webhook = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  webhook_url: z.string(),
  events: Events,
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Webhook");
const WebhookBody = z.object({
  instance_name: z.string(),
  webhook_url: z.string().url(),
  events: Events.optional(),
});

/** /api/webhooks* (mounted at /api/webhooks). */
export function webhookRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);

  // The engine must send the instance every event its tenant webhooks want; failing that is not the
  // tenant's error (the instance may be down), so it is logged and retried by the next change.
  const resync = async (instance: string) => {
    try {
      await ensureGatewayWebhook(deps, instance);
    } catch (err) {
      deps.log.warn("engine webhook sync failed", { instance, error: String(err) });
    }
  };

  documented(
    app,
    route({
      method: "get",
      path: "/",
      middleware: scope,
      summary: "My webhooks, newest first",
      responses: { 200: jsonContent(z.object({ webhooks: z.array(Webhook) }), "Webhooks") },
    }),
    async (c) =>
      c.json({
        webhooks: (await listWebhooks(sql, c.var.user.id, c.var.apiKey?.instanceNames)).map(webhookView),
      }),
  );

  documented(
    app,
    route({
      method: "post",
      path: "/",
      middleware: scope,
      summary: "Create a webhook on one of my instances; the signing secret is in this answer only",
      description:
        "Deliveries are POSTs of the v2 envelope signed `X-Taguato-Signature: t=<unix>,v1=<hex HMAC-SHA256 " +
        'of "<t>.<body>" keyed by the secret>`, with `X-Taguato-Event` and `X-Taguato-Delivery`.',
      request: { body: jsonBody(WebhookBody) },
      responses: {
        201: jsonContent(z.object({ webhook: Webhook.extend({ secret: z.string() }) }), "Created"),
      },
      errors: { 400: "Validation failed", 409: ["webhook_exists"] },
    }),
    async (c) => {
      const user = c.var.user;
      const b = await readObject(c);
      const instance = typeof b.instance_name === "string" ? b.instance_name.trim() : "";
      if (!instance) throw fail("field_required", { field: "instance_name" });
      if (typeof b.webhook_url !== "string" || b.webhook_url.trim() === "") {
        throw fail("field_required", { field: "webhook_url" });
      }
      const url = checkedUrl(deps, b.webhook_url.trim());
      const events = checkedEvents(b.events ?? []);
      if (!await canUseInstance(sql, user, instance) || !keyAllowsInstance(c.var.apiKey, instance)) {
        throw fail("webhook_instance_not_owned");
      }
      const { secret, sealed } = await newWebhookSecret(deps);
      const row = await createWebhook(sql, {
        userId: user.id,
        instanceName: instance,
        url,
        events,
        sealedSecret: sealed,
      });
      if (!row) throw fail("webhook_exists");
      await resync(instance);
      // The secret is shown this once; only its sealed form is stored.
      return c.json({ webhook: { ...webhookView(row), secret } }, 201);
    },
  );

  documented(
    app,
    route({
      method: "put",
      path: "/{id}",
      middleware: scope,
      summary: "Change URL, events or is_active",
      request: { params: idParams, body: jsonBody(WebhookBody.omit({ instance_name: true }).partial()) },
      responses: {
        200: jsonContent(z.object({ webhook: Webhook.extend({ retry_count: z.number().int() }) }), "Updated"),
      },
      errors: { 400: "Validation failed", 404: ["webhook_not_found"] },
    }),
    async (c) => {
      const user = c.var.user;
      const keyInstances = c.var.apiKey?.instanceNames;
      const current = await findWebhook(sql, user.id, webhookId(c.req.param("id")), keyInstances);
      if (!current) throw fail("webhook_not_found");
      const b = await readObject(c);
      let url: string | null = null;
      if (b.webhook_url !== undefined) {
        if (typeof b.webhook_url !== "string" || b.webhook_url.trim() === "") throw fail("webhook_url_empty");
        url = checkedUrl(deps, b.webhook_url.trim());
      }
      const events = b.events === undefined ? null : [...new Set(checkedEvents(b.events))];
      if (b.is_active !== undefined && typeof b.is_active !== "boolean") {
        throw fail("field_not_boolean", { field: "is_active" });
      }
      const active = b.is_active as boolean | undefined;
      if (url === null && events === null && active === undefined) throw fail("no_fields_to_update");
      const row = await updateWebhook(sql, user.id, current.id, { url, events, active }, keyInstances);
      if (!row) throw fail("webhook_not_found");
      if (events !== null || active !== undefined) await resync(row.instance_name);
      return c.json({ webhook: { ...webhookView(row), retry_count: row.retry_count } });
    },
  );

  documented(
    app,
    route({
      method: "delete",
      path: "/{id}",
      middleware: scope,
      summary: "Delete a webhook and its delivery log",
      request: { params: idParams },
      responses: { 200: jsonContent(z.object({ deleted: z.object({ id: z.number() }) }), "Done") },
      errors: { 404: ["webhook_not_found"] },
    }),
    async (c) => {
      const id = webhookId(c.req.param("id"));
      const row = await deleteWebhook(sql, c.var.user.id, id, c.var.apiKey?.instanceNames);
      if (!row) throw fail("webhook_not_found");
      await resync(row.instance_name);
      return c.json({ deleted: { id: row.id } });
    },
  );

  // A lost secret is replaced, never shown again; pending retries are signed with the new one.
  documented(
    app,
    route({
      method: "post",
      path: "/{id}/secret",
      middleware: scope,
      summary: "Replace the signing secret (shown once)",
      request: { params: idParams },
      responses: {
        200: jsonContent(z.object({ webhook: z.object({ id: z.number(), secret: z.string() }) }), "Done"),
      },
      errors: { 404: ["webhook_not_found"] },
    }),
    async (c) => {
      const { secret, sealed } = await newWebhookSecret(deps);
      const id = webhookId(c.req.param("id"));
      const row = await replaceWebhookSecret(sql, c.var.user.id, id, sealed, c.var.apiKey?.instanceNames);
      if (!row) throw fail("webhook_not_found");
      return c.json({ webhook: { id: row.id, secret } });
    },
  );

  webhookDeliveryRoutes(app, deps, kickWebhookDispatcher);
  return app;
}
