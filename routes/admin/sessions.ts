import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
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
import { auditAs, listSessions, sessionOwner } from "../../lib/accounts/mod.ts";
import { requireSessionCredential, revokeSession } from "../../lib/auth/mod.ts";
import { SessionSchema } from "../api/sessions.ts";
import { adminRouter } from "./_middleware.ts";

const AdminSession = SessionSchema.extend({ user_id: z.number().int(), username: z.string() })
  .openapi("AdminSession");

const route = routeDocs({ tag: "Admin - Sessions", admin: true });

/** `/admin/sessions` (mounted there): every live session (paginated) and revoking any of them at once. */
export function adminSessionRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "All active sessions, most recently used first",
      request: {
        query: PageQuery.extend({
          user_id: z.string().regex(/^[0-9]{1,15}$/, issue("user_id_invalid")).optional()
            .openapi({ description: "Only this user's sessions" }),
        }),
      },
      responses: {
        200: jsonContent(z.object({ sessions: z.array(AdminSession), ...PageInfo }), "One page of sessions"),
      },
      errors: { 400: ["page_invalid", "limit_invalid"] },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const userId = q.user_id === undefined ? undefined : Number(q.user_id);
      const now = new Date(deps.clock.now());
      const { sessions, ...page } = await onePage(
        pageParams(q),
        (window) => listSessions(sql, { userId, now, ...window }),
      );
      return c.json(
        { sessions: sessions.map((s) => ({ ...s, current: s.id === c.var.sessionId })), ...page },
        200,
      );
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: [requireSessionCredential()],
      summary: "Sign any session out (takes effect on its next request)",
      request: { params: idPath("12") },
      responses: {
        200: jsonContent(
          z.object({ revoked: z.object({ id: z.number().int(), user_id: z.number().int() }) }),
          "Revoked",
        ),
      },
      errors: { 404: ["session_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "session_not_found");
      const session = await sessionOwner(sql, id);
      if (!session) throw fail("session_not_found");
      if (await revokeSession(deps, id)) {
        await auditAs(sql, c.var.user, c.var.clientIp, {
          action: "session_revoked",
          resourceType: "session",
          resourceId: id,
          details: { owner_id: session.user_id, owner_username: session.username },
        });
      }
      return c.json({ revoked: { id, user_id: session.user_id } }, 200);
    },
  );

  return app;
}
