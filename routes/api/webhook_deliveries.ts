// /api/webhooks/{id}/deliveries: the tenant's delivery log (every attempt) and redelivery.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  fail,
  idPath,
  jsonContent,
  onePage,
  PageInfo,
  pathParam,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { findWebhook, listDeliveries, redeliver } from "../../lib/webhooks/mod.ts";
import { documented, pageOf } from "./_manual.ts";
import { webhookId } from "./webhooks.ts";

const route = routeDocs({ tag: "Webhooks" });
const scope = [requireScope("full", "read")];
const idParams = idPath("1");
const q = (name: string, description: string) =>
  z.string().optional().openapi({ param: { name, in: "query" }, description });

const Attempt = z.object({
  attempt: z.number().int(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
  next_attempt_at: z.string().nullable(),
  created_at: z.string(),
});
const Delivery = z.object({
  id: z.number().int().openapi({ description: "Also sent as X-Taguato-Delivery" }),
  event: z.string(),
  status: z.enum(["pending", "succeeded", "failed"]),
  attempt_count: z.number().int(),
  next_attempt_at: z.string().nullable(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  redelivery_of: z.number().int().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  attempts: z.array(Attempt),
}).openapi("WebhookDelivery");

/** Adds the delivery log routes to the webhooks router (which applies authentication). */
export function webhookDeliveryRoutes(
  app: OpenAPIHono<AuthEnv>,
  deps: AppDeps,
  kick: (deps: AppDeps) => void,
): void {
  const { sql } = deps;

  documented(
    app,
    route({
      method: "get",
      path: "/{id}/deliveries",
      middleware: scope,
      summary: "Delivery log, newest first, with every attempt",
      request: {
        params: idParams,
        query: z.object({ page: q("page", "Default 1"), limit: q("limit", "Default 50, max 100") }),
      },
      responses: {
        200: jsonContent(z.object({ deliveries: z.array(Delivery), ...PageInfo }), "Deliveries"),
      },
      errors: { 404: ["webhook_not_found"] },
    }),
    async (c) => {
      const id = webhookId(c.req.param("id"));
      const hook = await findWebhook(sql, c.var.user.id, id, c.var.apiKey?.instanceNames);
      if (!hook) throw fail("webhook_not_found");
      const at = pageOf(c.req.query());
      return c.json(await onePage(at, ({ limit, offset }) => listDeliveries(sql, hook.id, limit, offset)));
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/{id}/deliveries/{deliveryId}/redeliver",
      middleware: scope,
      summary: "Queue the same body again as a new delivery",
      request: { params: idParams.extend({ deliveryId: pathParam("deliveryId", "7") }) },
      responses: {
        202: jsonContent(
          z.object({
            delivery: z.object({ id: z.number(), redelivery_of: z.number(), status: z.literal("pending") }),
          }),
          "Queued",
        ),
      },
      errors: { 404: ["webhook_not_found", "webhook_delivery_not_found"] },
    }),
    async (c) => {
      const keyInstances = c.var.apiKey?.instanceNames;
      const hook = await findWebhook(sql, c.var.user.id, webhookId(c.req.param("id")), keyInstances);
      if (!hook) throw fail("webhook_not_found");
      const raw = c.req.param("deliveryId") ?? "";
      const row = /^[0-9]{1,15}$/.test(raw)
        ? await redeliver(deps, c.var.user.id, hook.id, Number(raw), keyInstances)
        : null;
      if (!row) throw fail("webhook_delivery_not_found");
      kick(deps);
      return c.json({ delivery: { id: row.id, redelivery_of: Number(raw), status: "pending" } }, 202);
    },
  );
}
