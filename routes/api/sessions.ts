import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  createRouter,
  errorResponses,
  idOr404,
  jsonContent,
  notFound,
  pathParam,
} from "../../lib/core/mod.ts";
import { audit } from "../../lib/accounts/mod.ts";
import { requireAuth, requireSessionCredential, revokeSession } from "../../lib/auth/mod.ts";

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

type SessionRow =
  & Omit<z.infer<typeof SessionSchema>, "current" | "last_active" | "created_at" | "expires_at">
  & {
    last_active: Date;
    created_at: Date;
    expires_at: Date;
  };

const tags = ["Sessions"];
const security = [{ apikey: [] }];

/** `/api/sessions`: the caller's own live sessions, and revoking one of them (effective at once). */
export function sessionRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/sessions",
      tags,
      security,
      middleware: [requireAuth(deps)],
      summary: "My active sessions, most recently used first",
      responses: {
        200: jsonContent(z.object({ sessions: z.array(SessionSchema) }), "Sessions"),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const rows = await sql<SessionRow[]>`
        SELECT id, ip_address, user_agent, last_active, is_active, created_at, expires_at
        FROM taguato.sessions
        WHERE user_id = ${me.id} AND is_active AND expires_at > ${new Date(deps.clock.now())}
        ORDER BY last_active DESC, id DESC`;
      const sessions = rows.map((s) => ({ ...s, current: s.id === c.var.sessionId }));
      return c.json({ sessions }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/sessions/{id}",
      tags,
      security,
      middleware: [requireAuth(deps), requireSessionCredential()],
      summary: "Sign one of my sessions out (takes effect on its next request)",
      request: { params: z.object({ id: pathParam("id", "12") }) },
      responses: {
        200: jsonContent(z.object({ revoked: z.object({ id: z.number().int() }) }), "Revoked"),
        ...errorResponses({ 404: "Session not found" }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "Session not found");
      const [own] = await sql`SELECT 1 FROM taguato.sessions WHERE id = ${id} AND user_id = ${me.id}`;
      if (!own) throw notFound("Session not found");
      if (await revokeSession(deps, id, { userId: me.id })) {
        await audit(sql, {
          userId: me.id,
          username: me.username,
          action: "session_revoked",
          resourceType: "session",
          resourceId: id,
          details: { owner_id: me.id, current: id === c.var.sessionId },
          ip: c.var.clientIp,
        });
      }
      return c.json({ revoked: { id } }, 200);
    },
  );

  return app;
}
