// /api/scheduled (contract §1.6): the caller's scheduled messages. Wire-compatible (recipients as a JSON
// string, default page of 20, the contract's messages in its order) with the fixes of §14: an update may
// only move a message to an instance the caller can use and re-checks recipients, times carry a zone,
// recurrence, template + per-recipient variables, and POST honours Idempotency-Key.
import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import { type AppDeps, type AuthEnv, fail, idOr404, jsonContent, pageInfo } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { idempotent } from "../../lib/gateway/mod.ts";
import {
  cancelPendingScheduled,
  createScheduled,
  getScheduled,
  listScheduled,
  SCHEDULED_STATUSES,
  scheduledRecipients,
  type ScheduledStatus,
  scheduledView,
  updatePendingScheduled,
  validateCreate,
  validateUpdate,
} from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import { documented, pageOf, readObject } from "./_manual.ts";

const TAG = "Scheduled messages";
const readScope = requireScope("full", "read");
const sendScope = requireScope("full", "send");

const ScheduledSchema = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  message_type: z.string(),
  message_content: z.string(),
  recipients: z.string().openapi({ description: "JSON-encoded array of numbers (as the contract)" }),
  scheduled_at: z.string().openapi({ description: "ISO 8601 instant (UTC)" }),
  scheduled_at_local: z.string().openapi({ description: "The same instant in time_zone, with its offset" }),
  time_zone: z.string(),
  recurrence: z.unknown(),
  recurrence_until: z.string().nullable(),
  series_id: z.number().int().nullable(),
  occurrence: z.number().int(),
  template_id: z.number().int().nullable(),
  variables: z.unknown(),
  status: z.enum(SCHEDULED_STATUSES),
  results: z.unknown(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("ScheduledMessage");

const CreateDoc = z.object({
  instance_name: z.string(),
  recipients: z.array(z.string()).optional().openapi({
    description: "1-500 numbers (with contact_list_id: optional)",
  }),
  message_content: z.string().optional().openapi({ description: "1-5000 bytes; optional with template_id" }),
  scheduled_at: z.string().openapi({
    description: "ISO 8601; without an offset it is read in time_zone (else the user's setting)",
    example: "2026-04-18T09:00:00-03:00",
  }),
  message_type: z.enum(["text", "image", "document", "audio", "video"]).optional(),
  time_zone: z.string().optional().openapi({ example: "America/Asuncion" }),
  recurrence: z.object({
    type: z.enum(["daily", "weekly", "monthly", "cron"]),
    days: z.array(z.number().int()).optional().openapi({ description: "weekly: 1 (Monday) … 7 (Sunday)" }),
    cron: z.string().optional().openapi({ example: "0 9 * * 1-5" }),
  }).optional(),
  recurrence_until: z.string().optional(),
  template_id: z.number().int().optional(),
  contact_list_id: z.number().int().optional().openapi({
    description: "adds the list's numbers; each one's label fills {{name}}, its custom fields {{field}}",
  }),
  variables: z.record(z.string(), z.record(z.string(), z.string())).optional()
    .openapi({ description: "number → {variable: value}, rendered into {{variable}}" }),
}).openapi("CreateScheduled");

function filterOf(query: Record<string, string>) {
  const status = query.status || undefined;
  if (status && !(SCHEDULED_STATUSES as readonly string[]).includes(status)) {
    throw fail("log_filter_choice", { field: "status", values: SCHEDULED_STATUSES.join(", ") });
  }
  const series = query.series_id ? idOr404(query.series_id, "scheduled_not_found") : undefined;
  return {
    status: status as ScheduledStatus | undefined,
    instanceName: query.instance_name || undefined,
    seriesId: series,
  };
}

const one = jsonContent(z.object({ message: ScheduledSchema }), "The scheduled message");
const idParam = { params: z.object({ id: z.string().openapi({ example: "1" }) }) };

/** /api/scheduled and /api/scheduled/{id} (mounted at /api/scheduled). */
export function scheduledRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);
  const scheduledId = (c: Context<AuthEnv>) => idOr404(c.req.param("id") ?? "", "scheduled_not_found");
  const who = (c: Context<AuthEnv>) => ({ user: c.var.user, key: c.get("apiKey") });

  documented(app, {
    method: "get",
    path: "/",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [readScope],
    summary: "My scheduled messages, latest scheduled first (paginated, 20 by default)",
    request: {
      query: z.object({
        status: z.enum(SCHEDULED_STATUSES).optional(),
        instance_name: z.string().optional(),
        series_id: z.string().optional(),
        page: z.string().optional(),
        limit: z.string().optional(),
      }),
    },
    responses: {
      200: jsonContent(
        z.object({
          messages: z.array(ScheduledSchema),
          total: z.number(),
          page: z.number(),
          limit: z.number(),
          pages: z.number(),
        }),
        "One page",
      ),
    },
  }, async (c) => {
    const query = c.req.query();
    const filter = filterOf(query);
    const { page, limit, offset } = pageOf({ ...query, limit: query.limit ?? "20" });
    const { messages, total } = await listScheduled(sql, c.var.user.id, filter, limit, offset);
    return c.json({ messages: messages.map(scheduledView), ...pageInfo(total, page, limit) }, 200);
  });

  documented(app, {
    method: "get",
    path: "/{id}",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [readScope],
    summary: "One of my scheduled messages",
    request: idParam,
    responses: { 200: one },
  }, async (c) => {
    const row = await getScheduled(sql, c.var.user.id, scheduledId(c));
    if (!row) throw fail("scheduled_not_found");
    return c.json({ message: scheduledView(row) }, 200);
  });

  documented(app, {
    method: "get",
    path: "/{id}/recipients",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [readScope],
    summary: "What each recipient of one of my scheduled messages got (status, reason, rendered text)",
    request: idParam,
    responses: {
      200: jsonContent(
        z.object({
          recipients: z.array(z.object({
            phone_number: z.string(),
            status: z.string(),
            error_message: z.string().nullable(),
            message_text: z.string().nullable(),
            engine_message_id: z.string().nullable(),
            status_updated_at: z.string(),
          })),
        }),
        "Recipients",
      ),
    },
  }, async (c) => {
    const id = scheduledId(c);
    if (!(await getScheduled(sql, c.var.user.id, id))) throw fail("scheduled_not_found");
    const rows = await scheduledRecipients(sql, c.var.user.id, id);
    return c.json({
      recipients: rows.map((r) => ({ ...r, status_updated_at: r.status_updated_at.toISOString() })),
    }, 200);
  });

  documented(app, {
    method: "post",
    path: "/",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [sendScope, idempotent(deps)],
    summary: "Schedule a message (once or recurring); honours Idempotency-Key",
    request: { body: { required: true, content: { "application/json": { schema: CreateDoc } } } },
    responses: { 201: one },
  }, async (c) => {
    const fields = await validateCreate(deps, who(c), await readObject(c));
    const row = await createScheduled(sql, c.var.user.id, fields);
    return c.json({ message: scheduledView(row) }, 201);
  });

  documented(app, {
    method: "put",
    path: "/{id}",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [sendScope],
    summary: "Change a pending scheduled message (any field of the create body)",
    request: { ...idParam, body: { content: { "application/json": { schema: CreateDoc.partial() } } } },
    responses: { 200: one },
  }, async (c) => {
    const id = scheduledId(c);
    const current = await getScheduled(sql, c.var.user.id, id);
    if (!current) throw fail("scheduled_not_found");
    if (current.status !== "pending") throw fail("scheduled_not_pending_update");
    const changes = await validateUpdate(deps, who(c), current, await readObject(c));
    const row = await updatePendingScheduled(sql, c.var.user.id, id, changes);
    // The worker claimed it between the read and the update.
    if (!row) throw fail("scheduled_not_pending_update");
    return c.json({ message: scheduledView(row) }, 200);
  });

  documented(app, {
    method: "delete",
    path: "/{id}",
    tags: [TAG],
    security: [{ apikey: [] }],
    middleware: [sendScope],
    summary: "Cancel a pending scheduled message (a series stops with it)",
    request: idParam,
    responses: {
      200: jsonContent(
        z.object({ message: z.object({ id: z.number(), status: z.literal("cancelled") }) }),
        "Cancelled",
      ),
    },
  }, async (c) => {
    const id = scheduledId(c);
    const row = await cancelPendingScheduled(sql, c.var.user.id, id);
    if (row) return c.json({ message: row }, 200);
    if (await getScheduled(sql, c.var.user.id, id)) throw fail("scheduled_not_pending_cancel");
    throw fail("scheduled_not_found");
  });

  return app;
}
