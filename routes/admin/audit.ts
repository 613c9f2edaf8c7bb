import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type ErrorCode,
  fail,
  idOr404,
  idPath,
  issue,
  jsonContent,
  onePage,
  PageInfo,
  pageParams,
  PageQuery,
  routeDocs,
} from "../../lib/core/mod.ts";
import { findAuditEntry, listAudit, parseIsoInstant } from "../../lib/accounts/mod.ts";
import { adminRouter } from "./_middleware.ts";

const isoDate = (name: "date_from" | "date_to", code: ErrorCode) =>
  z.string().refine((v) => parseIsoInstant(v) !== null, issue(code))
    .optional().openapi({ example: name === "date_from" ? "2026-04-01" : "2026-04-30T23:59:59Z" });

const AuditQuery = PageQuery.extend({
  action: z.string().max(50, issue("audit_action_too_long")).optional()
    .openapi({ example: "user_login" }),
  username: z.string().max(100, issue("audit_username_too_long")).optional(),
  user_id: z.string().regex(/^[0-9]{1,15}$/, issue("user_id_invalid")).optional(),
  resource_type: z.string().max(50, issue("audit_resource_type_too_long")).optional(),
  resource_id: z.string().max(255, issue("audit_resource_id_too_long")).optional(),
  date_from: isoDate("date_from", "date_from_invalid"),
  date_to: isoDate("date_to", "date_to_invalid"),
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

const route = routeDocs({ tag: "Admin - Audit", admin: true });

/** `GET /admin/audit` (filtered, paginated, newest first) and `GET /admin/audit/{id}`, mounted at /admin/audit. */
export function adminAuditRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Audit log, newest first",
      description: "Filters are exact matches and combine with AND; dates are inclusive bounds " +
        "(a bare date_to covers that whole day; zone-less values are UTC).",
      request: { query: AuditQuery },
      responses: {
        200: jsonContent(z.object({ logs: z.array(AuditEntry), ...PageInfo }), "One page of entries"),
      },
      errors: { 400: "Invalid filter or page" },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const from = q.date_from ? parseIsoInstant(q.date_from) : null;
      const to = q.date_to ? parseIsoInstant(q.date_to, true) : null;
      if (from && to && from > to) throw fail("date_range_invalid");
      const filters = {
        action: q.action || undefined,
        username: q.username || undefined,
        userId: q.user_id ? Number(q.user_id) : undefined,
        resourceType: q.resource_type || undefined,
        resourceId: q.resource_id || undefined,
        from,
        to,
      };
      return c.json(await onePage(pageParams(q), (window) => listAudit(sql, filters, window)), 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}",
      summary: "One audit entry",
      request: { params: idPath("42") },
      responses: { 200: jsonContent(z.object({ log: AuditEntry }), "The entry") },
      errors: { 404: ["audit_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "audit_not_found");
      const log = await findAuditEntry(sql, id);
      if (!log) throw fail("audit_not_found");
      return c.json({ log }, 200);
    },
  );

  // The contract answers other methods on the exact path with 405 (after authentication).
  app.on(["POST", "PUT", "PATCH", "DELETE"], "/", () => {
    throw fail("method_not_allowed");
  });

  return app;
}
