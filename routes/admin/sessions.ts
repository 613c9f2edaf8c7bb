import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  createRouter,
  errorResponses,
  idOr404,
  jsonContent,
  notFound,
  PageInfo,
  pageInfo,
  pageParams,
  PageQuery,
  pathParam,
} from "../../lib/core/mod.ts";
import { audit } from "../../lib/accounts/mod.ts";
import { requireAdmin, requireAuth, requireSessionCredential, revokeSession } from "../../lib/auth/mod.ts";
import { SessionSchema } from "../api/sessions.ts";

const AdminSession = SessionSchema.extend({ user_id: z.number().int(), username: z.string() })
  .openapi("AdminSession");

const tags = ["Admin - Sessions"];
const security = [{ apikey: [] }];

/** `/admin/sessions`: every live session (paginated) and revoking any of them at once. */
export function adminSessionRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/sessions",
      tags,
      security,
      middleware: [requireAuth(deps), requireAdmin()],
      summary: "All active sessions, most recently used first",
      request: {
        query: PageQuery.extend({
          user_id: z.string().regex(/^[0-9]{1,15}$/, "user_id must be a number").optional()
            .openapi({ description: "Only this user's sessions" }),
        }),
      },
      responses: {
        200: jsonContent(z.object({ sessions: z.array(AdminSession), ...PageInfo }), "One page of sessions"),
        ...errorResponses({ 400: "page must be a positive integer / limit must be a positive integer" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { page, limit, offset } = pageParams(q);
      const now = new Date(deps.clock.now());
      const byUser = q.user_id === undefined ? sql`` : sql`AND s.user_id = ${Number(q.user_id)}`;
      const [{ total }] = await sql<{ total: number }[]>`
        SELECT count(*)::int AS total FROM taguato.sessions s
        WHERE s.is_active AND s.expires_at > ${now} ${byUser}`;
      const rows = await sql<(z.infer<typeof AdminSession> & { id: number })[]>`
        SELECT s.id, s.user_id, u.username, s.ip_address, s.user_agent, s.last_active, s.is_active,
               s.created_at, s.expires_at
        FROM taguato.sessions s JOIN taguato.users u ON u.id = s.user_id
        WHERE s.is_active AND s.expires_at > ${now} ${byUser}
        ORDER BY s.last_active DESC, s.id DESC LIMIT ${limit} OFFSET ${offset}`;
      const sessions = rows.map((s) => ({ ...s, current: s.id === c.var.sessionId }));
      return c.json({ sessions, ...pageInfo(total, page, limit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/admin/sessions/{id}",
      tags,
      security,
      middleware: [requireAuth(deps), requireAdmin(), requireSessionCredential()],
      summary: "Sign any session out (takes effect on its next request)",
      request: { params: z.object({ id: pathParam("id", "12") }) },
      responses: {
        200: jsonContent(
          z.object({ revoked: z.object({ id: z.number().int(), user_id: z.number().int() }) }),
          "Revoked",
        ),
        ...errorResponses({ 404: "Session not found" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "Session not found");
      const [session] = await sql<{ user_id: number; username: string }[]>`
        SELECT s.user_id, u.username FROM taguato.sessions s JOIN taguato.users u ON u.id = s.user_id
        WHERE s.id = ${id}`;
      if (!session) throw notFound("Session not found");
      if (await revokeSession(deps, id)) {
        await audit(sql, {
          userId: me.id,
          username: me.username,
          action: "session_revoked",
          resourceType: "session",
          resourceId: id,
          details: { owner_id: session.user_id, owner_username: session.username },
          ip: c.var.clientIp,
        });
      }
      return c.json({ revoked: { id, user_id: session.user_id } }, 200);
    },
  );

  return app;
}
