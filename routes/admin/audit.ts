import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  createRouter,
  errorResponses,
  idOr404,
  jsonContent,
  methodNotAllowed,
  notFound,
  PageInfo,
  pageInfo,
  pageParams,
  PageQuery,
  pathParam,
} from "../../lib/core/mod.ts";
import { requireAdmin, requireAuth } from "../../lib/auth/mod.ts";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const DAY_MS = 86_400_000;

/**
 * An ISO 8601 date or date-time as an instant; zone-less values are UTC. A bare date as an upper bound
 * means "through the end of that day". Null for anything else (including impossible dates like 02-30).
 */
export function parseIsoInstant(value: string, upperBound = false): Date | null {
  const d = DATE_ONLY.exec(value);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== value) return null;
    return new Date(upperBound ? ms + DAY_MS - 1 : ms);
  }
  if (!DATE_TIME.test(value)) return null;
  const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.slice(10));
  const ms = Date.parse(value.replace(" ", "T") + (hasZone ? "" : "Z"));
  return Number.isNaN(ms) ? null : new Date(ms);
}

const isoDate = (name: string) =>
  z.string().refine((v) => parseIsoInstant(v) !== null, `${name} must be an ISO 8601 date or date-time`)
    .optional().openapi({ example: name === "date_from" ? "2026-04-01" : "2026-04-30T23:59:59Z" });

const AuditQuery = PageQuery.extend({
  action: z.string().max(50, "action must be at most 50 characters").optional()
    .openapi({ example: "user_login" }),
  username: z.string().max(100, "username must be at most 100 characters").optional(),
  user_id: z.string().regex(/^[0-9]{1,15}$/, "user_id must be a number").optional(),
  resource_type: z.string().max(50, "resource_type must be at most 50 characters").optional(),
  resource_id: z.string().max(255, "resource_id must be at most 255 characters").optional(),
  date_from: isoDate("date_from"),
  date_to: isoDate("date_to"),
});

const AuditEntry = z.object({
  id: z.number().int(),
  user_id: z.number().int().nullable(),
  username: z.string().nullable(),
  action: z.string(),
  resource_type: z.string().nullable(),
  resource_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  ip_address: z.string().nullable(),
  created_at: z.string(),
}).openapi("AuditEntry");
type AuditRow = Omit<z.infer<typeof AuditEntry>, "created_at"> & { created_at: Date };

const tags = ["Admin - Audit"];
const security = [{ apikey: [] }];

/** `GET /admin/audit` (filtered, paginated, newest first) and `GET /admin/audit/{id}`. */
export function adminAuditRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const middleware = [requireAuth(deps), requireAdmin()];
  const columns = () =>
    sql`id, user_id, username, action, resource_type, resource_id, details, ip_address, created_at`;

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/audit",
      tags,
      security,
      middleware,
      summary: "Audit log, newest first",
      description: "Filters are exact matches and combine with AND; dates are inclusive bounds " +
        "(a bare date_to covers that whole day; zone-less values are UTC).",
      request: { query: AuditQuery },
      responses: {
        200: jsonContent(z.object({ logs: z.array(AuditEntry), ...PageInfo }), "One page of entries"),
        ...errorResponses({ 400: "Invalid filter or page" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { page, limit, offset } = pageParams(q);
      const from = q.date_from ? parseIsoInstant(q.date_from) : null;
      const to = q.date_to ? parseIsoInstant(q.date_to, true) : null;
      if (from && to && from > to) throw badRequest("date_from must not be after date_to");
      const conds = [
        q.action ? sql`action = ${q.action}` : null,
        q.username ? sql`username = ${q.username}` : null,
        q.user_id ? sql`user_id = ${Number(q.user_id)}` : null,
        q.resource_type ? sql`resource_type = ${q.resource_type}` : null,
        q.resource_id ? sql`resource_id = ${q.resource_id}` : null,
        from ? sql`created_at >= ${from}` : null,
        to ? sql`created_at <= ${to}` : null,
      ].filter((x) => x !== null);
      const where = conds.length ? sql`WHERE ${conds.reduce((a, b) => sql`${a} AND ${b}`)}` : sql``;
      const [{ total }] = await sql<{ total: number }[]>`
        SELECT count(*)::int AS total FROM taguato.audit_log ${where}`;
      const logs = await sql<AuditRow[]>`
        SELECT ${columns()} FROM taguato.audit_log ${where}
        ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
      return c.json({ logs, ...pageInfo(total, page, limit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/audit/{id}",
      tags,
      security,
      middleware,
      summary: "One audit entry",
      request: { params: z.object({ id: pathParam("id", "42") }) },
      responses: {
        200: jsonContent(z.object({ log: AuditEntry }), "The entry"),
        ...errorResponses({ 404: "Audit entry not found" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "Audit entry not found");
      const [log] = await sql<AuditRow[]>`SELECT ${columns()} FROM taguato.audit_log WHERE id = ${id}`;
      if (!log) throw notFound("Audit entry not found");
      return c.json({ log }, 200);
    },
  );

  // The contract answers other methods on the exact path with 405 (after authentication).
  app.on(["POST", "PUT", "PATCH", "DELETE"], ["/admin/audit"], ...middleware, () => {
    throw methodNotAllowed();
  });

  return app;
}
