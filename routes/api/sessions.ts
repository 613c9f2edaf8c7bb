import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, idOr404, idPath, jsonContent, routeDocs } from "../../lib/core/mod.ts";
import { auditAs, listOwnSessions, ownsSession } from "../../lib/accounts/mod.ts";
import { requireSessionCredential, revokeSession } from "../../lib/auth/mod.ts";
import { tenantRouter } from "./_middleware.ts";

export const SessionSchema = z.object({
  id: z.number().int(),
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  last_active: z.string(),
  is_active: z.boolean(),
  created_at: z.string(),
  expires_at: z.string(),
  current: z.boolean().openapi({ description: "true for the session making this request" }),
}).openapi("Session");

const route = routeDocs({ tag: "Sessions" });

/** `/api/sessions` (mounted there): the caller's own live sessions, and revoking one (effective at once). */
export function sessionRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "My active sessions, most recently used first",
      responses: { 200: jsonContent(z.object({ sessions: z.array(SessionSchema) }), "Sessions") },
    }),
    async (c) => {
      const rows = await listOwnSessions(sql, c.var.user.id, new Date(deps.clock.now()));
      const sessions = rows.map((s) => ({ ...s, current: s.id === c.var.sessionId }));
      return c.json({ sessions }, 200);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: [requireSessionCredential()],
      summary: "Sign one of my sessions out (takes effect on its next request)",
      request: { params: idPath("12") },
      responses: { 200: jsonContent(z.object({ revoked: z.object({ id: z.number().int() }) }), "Revoked") },
      errors: { 404: ["session_not_found"] },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "session_not_found");
      if (!await ownsSession(sql, me.id, id)) throw fail("session_not_found");
      if (await revokeSession(deps, id, { userId: me.id })) {
        await auditAs(sql, me, c.var.clientIp, {
          action: "session_revoked",
          resourceType: "session",
          resourceId: id,
          details: { owner_id: me.id, current: id === c.var.sessionId },
        });
      }
      return c.json({ revoked: { id } }, 200);
    },
  );

  return app;
}
