// GET /api/instance/stats/{name} (contract §7.3), fixed (§14 #27): owners, grantees and admins see the
// instance's own numbers (every sender's rows since it was registered, not only the caller's), and
// registered_at for all of them. Timestamps are ISO 8601 with a zone; the 7 days are always all there.
import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  createRouter,
  errorResponses,
  forbidden,
  jsonContent,
  methodNotAllowed,
  pathParam,
} from "../../lib/core/mod.ts";
import { apiKeyAllowsInstance, requireAuth, requireScope } from "../../lib/auth/mod.ts";

const NOT_YOURS = "Instance not found or not owned by you";
const NAME_REQUIRED = "Instance name required";
// Statuses of a message the engine accepted (receipts only move it forward).
const SENT = ["sent", "delivered", "read", "played"];
const DELIVERED = ["delivered", "read", "played"];

const Stats = z.object({
  instance_name: z.string(),
  total: z.number().int().openapi({ description: "Outbound messages" }),
  sent: z.number().int().openapi({ description: "Accepted by the engine (sent, delivered, read, played)" }),
  delivered: z.number().int().openapi({ description: "Delivered or read" }),
  read: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  delivery_rate: z.number().int().openapi({ description: "floor(sent / total × 100); 0 without messages" }),
  registered_at: z.string().nullable(),
  recent_errors: z.array(z.object({
    phone_number: z.string(),
    message_type: z.string(),
    error_message: z.string().nullable(),
    created_at: z.string(),
  })).openapi({ description: "Last 10 failed sends" }),
  reconnections: z.array(z.object({
    previous_state: z.string().nullable(),
    action: z.string(),
    result: z.string(),
    error_message: z.string().nullable(),
    created_at: z.string(),
  })).openapi({ description: "Last 20 reconnect attempts of the worker" }),
  daily: z.array(z.object({
    day: z.string().openapi({ example: "2026-04-18" }),
    total: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
  })).openapi({ description: "The last 7 UTC days, oldest first, days without messages included" }),
}).openapi("InstanceStats");

interface Access {
  allowed: boolean;
  registeredAt: Date | null;
}

/** Whether the user may see the instance (owner, grantee, admin) and when it was registered. */
async function access(deps: AppDeps, user: { id: number; role: string }, name: string): Promise<Access> {
  const [row] = await deps.sql<{ created_at: Date; mine: boolean }[]>`
    SELECT i.created_at, (i.user_id = ${user.id} OR EXISTS (
      SELECT 1 FROM taguato.instance_permissions p
      WHERE p.instance_name = i.instance_name AND p.grantee_user_id = ${user.id})) AS mine
    FROM taguato.user_instances i WHERE i.instance_name = ${name}`;
  return { allowed: user.role === "admin" || row?.mine === true, registeredAt: row?.created_at ?? null };
}

/** The numbers of one instance from the ledger (outbound rows since `since`, when registered). */
async function instanceStats(deps: AppDeps, name: string, since: Date | null) {
  const { sql } = deps;
  const from = since ?? new Date(0);
  const [[counts], errors, reconnections, daily] = await Promise.all([
    sql<
      { total: number; sent: number; delivered: number; read: number; failed: number; cancelled: number }[]
    >`
      SELECT count(*)::int AS total,
        count(*) FILTER (WHERE status = ANY (${SENT}))::int AS sent,
        count(*) FILTER (WHERE status = ANY (${DELIVERED}))::int AS delivered,
        count(*) FILTER (WHERE status IN ('read', 'played'))::int AS read,
        count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
      FROM taguato.message_logs
      WHERE instance_name = ${name} AND direction = 'outbound' AND created_at >= ${from}`,
    sql<{ phone_number: string; message_type: string; error_message: string | null; created_at: Date }[]>`
      SELECT phone_number, message_type, error_message, created_at FROM taguato.message_logs
      WHERE instance_name = ${name} AND direction = 'outbound' AND status = 'failed' AND created_at >= ${from}
      ORDER BY created_at DESC, id DESC LIMIT 10`,
    sql<
      {
        previous_state: string | null;
        action: string;
        result: string;
        error_message: string | null;
        created_at: Date;
      }[]
    >`
      SELECT previous_state, action, result, error_message, created_at FROM taguato.reconnect_log
      WHERE instance_name = ${name} AND created_at >= ${from}
      ORDER BY created_at DESC, id DESC LIMIT 20`,
    sql<{ day: string; total: number; sent: number; failed: number }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
        count(m.id)::int AS total,
        count(m.id) FILTER (WHERE m.status = ANY (${SENT}))::int AS sent,
        count(m.id) FILTER (WHERE m.status = 'failed')::int AS failed
      FROM generate_series((now() AT TIME ZONE 'UTC')::date - 6, (now() AT TIME ZONE 'UTC')::date,
        interval '1 day') AS d(day)
      LEFT JOIN taguato.message_logs m
        ON m.instance_name = ${name} AND m.direction = 'outbound' AND m.created_at >= ${from}
        AND m.created_at >= d.day AT TIME ZONE 'UTC' AND m.created_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
      GROUP BY d.day ORDER BY d.day`,
  ]);
  return {
    ...counts,
    delivery_rate: counts.total ? Math.floor((counts.sent / counts.total) * 100) : 0,
    recent_errors: errors.map((e) => ({ ...e, created_at: e.created_at.toISOString() })),
    reconnections: reconnections.map((r) => ({ ...r, created_at: r.created_at.toISOString() })),
    daily,
  };
}

/** Mounts /api/instance/stats/{name}; any other /api/instance/* path is 405 (not GET) or 400. */
export function instanceStatsRoutes(deps: AppDeps) {
  const app = createRouter();
  // Authentication before the method and name checks, as behind the contract's auth middleware.
  app.use("/api/instance/*", requireAuth(deps), requireScope("full", "read"));

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/instance/stats/{name}",
      tags: ["Instances"],
      security: [{ apikey: [] }],
      summary: "Send statistics of an instance I own or was granted (admins: any)",
      request: { params: z.object({ name: pathParam("name", "acme-sales") }) },
      responses: {
        200: jsonContent(Stats, "Statistics"),
        ...errorResponses({ 400: NAME_REQUIRED, 405: "Method not allowed" }),
        ...authErrors(false),
        403: jsonContent(z.object({ error: z.string() }), NOT_YOURS),
      },
    }),
    async (c) => {
      const user = c.var.user!;
      const name = c.req.valid("param").name;
      if (name === "") throw badRequest(NAME_REQUIRED);
      const { allowed, registeredAt } = await access(deps, user, name);
      if (!allowed || !apiKeyAllowsInstance(c, name)) throw forbidden(NOT_YOURS);
      const stats = await instanceStats(deps, name, registeredAt);
      return c.json({
        instance_name: name,
        total: stats.total,
        sent: stats.sent,
        delivered: stats.delivered,
        read: stats.read,
        failed: stats.failed,
        cancelled: stats.cancelled,
        delivery_rate: stats.delivery_rate,
        registered_at: registeredAt?.toISOString() ?? null,
        recent_errors: stats.recent_errors,
        reconnections: stats.reconnections,
        daily: stats.daily,
      }, 200);
    },
  );

  app.all("/api/instance/*", (c) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") throw methodNotAllowed();
    throw badRequest(NAME_REQUIRED);
  });
  return app;
}
