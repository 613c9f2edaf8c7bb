// OpenAPI entries for the webhook and message-log routes. Their handlers validate by hand, in the contract's
// message order, so the paths are registered here rather than through createRoute.
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  type AppEnv,
  authErrors,
  errorResponses,
  jsonBody,
  jsonContent,
  PageInfo,
} from "../../lib/core/mod.ts";
import { WEBHOOK_EVENTS } from "../../lib/webhooks/mod.ts";

const security = [{ apikey: [] }];
const id = z.object({ id: z.string().openapi({ param: { name: "id", in: "path" }, example: "1" }) });
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

const Log = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.string(),
  status: z.enum(["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"]),
  error_message: z.string().nullable(),
  direction: z.enum(["outbound", "inbound"]),
  source: z.enum(["api", "panel", "scheduled", "campaign", "engine"]),
  engine_message_id: z.string().nullable(),
  status_updated_at: z.string(),
  scheduled_message_id: z.number().int().nullable(),
  created_at: z.string(),
}).openapi("MessageLog");

const q = (name: string, description: string) =>
  z.string().optional().openapi({ param: { name, in: "query" }, description });
const LogQuery = z.object({
  status: q("status", "Exact status"),
  message_type: q("message_type", "Exact type"),
  instance_name: q("instance_name", "Exact instance"),
  direction: q("direction", "outbound or inbound"),
  date_from: q("date_from", "YYYY-MM-DD or ISO 8601 (zone-less = UTC); 400 when not a date"),
  date_to: q("date_to", "Inclusive: a date covers its whole day"),
});
const Page = z.object({ page: q("page", "Default 1"), limit: q("limit", "Default 50, max 100") });

/** Registers the /api/webhooks* paths. */
export function documentWebhookRoutes(app: OpenAPIHono<AppEnv>) {
  const tags = ["Webhooks"];
  const r = app.openAPIRegistry;
  const WebhookBody = z.object({
    instance_name: z.string(),
    webhook_url: z.string().url(),
    events: Events.optional(),
  });
  r.registerPath({
    method: "get",
    path: "/api/webhooks",
    tags,
    security,
    summary: "My webhooks, newest first",
    responses: {
      200: jsonContent(z.object({ webhooks: z.array(Webhook) }), "Webhooks"),
      ...authErrors(false),
    },
  });
  r.registerPath({
    method: "post",
    path: "/api/webhooks",
    tags,
    security,
    summary: "Create a webhook on one of my instances; the signing secret is in this answer only",
    description:
      "Deliveries are POSTs of the v2 envelope signed `X-Taguato-Signature: t=<unix>,v1=<hex HMAC-SHA256 " +
      'of "<t>.<body>" keyed by the secret>`, with `X-Taguato-Event` and `X-Taguato-Delivery`.',
    request: { body: jsonBody(WebhookBody) },
    responses: {
      201: jsonContent(z.object({ webhook: Webhook.extend({ secret: z.string() }) }), "Created"),
      ...errorResponses({ 400: "Validation failed", 409: "Webhook already exists for this instance" }),
      ...authErrors(false),
    },
  });
  r.registerPath({
    method: "put",
    path: "/api/webhooks/{id}",
    tags,
    security,
    summary: "Change URL, events or is_active",
    request: { params: id, body: jsonBody(WebhookBody.omit({ instance_name: true }).partial()) },
    responses: {
      200: jsonContent(z.object({ webhook: Webhook.extend({ retry_count: z.number().int() }) }), "Updated"),
      ...errorResponses({ 400: "Validation failed", 404: "Webhook not found" }),
      ...authErrors(false),
    },
  });
  for (
    const [method, path, summary, body] of [
      [
        "delete",
        "/api/webhooks/{id}",
        "Delete a webhook and its delivery log",
        z.object({ deleted: z.object({ id: z.number() }) }),
      ],
      [
        "post",
        "/api/webhooks/{id}/secret",
        "Replace the signing secret (shown once)",
        z.object({ webhook: z.object({ id: z.number(), secret: z.string() }) }),
      ],
    ] as const
  ) {
    r.registerPath({
      method,
      path,
      tags,
      security,
      summary,
      request: { params: id },
      responses: {
        200: jsonContent(body, "Done"),
        ...errorResponses({ 404: "Webhook not found" }),
        ...authErrors(false),
      },
    });
  }
  r.registerPath({
    method: "get",
    path: "/api/webhooks/{id}/deliveries",
    tags,
    security,
    summary: "Delivery log, newest first, with every attempt",
    request: { params: id, query: Page },
    responses: {
      200: jsonContent(z.object({ deliveries: z.array(Delivery), ...PageInfo }), "Deliveries"),
      ...errorResponses({ 404: "Webhook not found" }),
      ...authErrors(false),
    },
  });
  r.registerPath({
    method: "post",
    path: "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    tags,
    security,
    summary: "Queue the same body again as a new delivery",
    request: {
      params: id.extend({
        deliveryId: z.string().openapi({ param: { name: "deliveryId", in: "path" }, example: "7" }),
      }),
    },
    responses: {
      202: jsonContent(
        z.object({
          delivery: z.object({ id: z.number(), redelivery_of: z.number(), status: z.literal("pending") }),
        }),
        "Queued",
      ),
      ...errorResponses({ 404: "Webhook not found / Delivery not found" }),
      ...authErrors(false),
    },
  });
}

/** Registers /api/messages/log and /api/messages/export. */
export function documentMessageRoutes(app: OpenAPIHono<AppEnv>) {
  const tags = ["Message logs"];
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/api/messages/log",
    tags,
    security,
    summary: "My message ledger (sends, receipts, inbound), newest first",
    request: { query: LogQuery.extend(Page.shape) },
    responses: {
      200: jsonContent(z.object({ logs: z.array(Log), ...PageInfo }), "Logs"),
      ...errorResponses({ 400: "Invalid filter" }),
      ...authErrors(false),
    },
  });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/api/messages/export",
    tags,
    security,
    summary: "CSV of my ledger (same filters, newest first, at most 10 000 rows), streamed",
    request: { query: LogQuery },
    responses: {
      200: {
        description: "ID,Instance,Phone,Type,Status,Error,Date",
        content: { "text/csv": { schema: z.string() } },
      },
      ...errorResponses({ 400: "Invalid filter", 405: "Method not allowed" }),
      ...authErrors(false),
    },
  });
}
