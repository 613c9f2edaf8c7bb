import { createRoute, z } from "@hono/zod-openapi";
import { type AppDeps, badRequest, unauthorized } from "../../../lib/core/mod.ts";
import {
  clearSessionCookie,
  hashPassword,
  invalidateUser,
  passwordPolicyError,
  requireAuth,
  requireSessionCredential,
  revokeSession,
  revokeUserSessions,
  verifyPassword,
} from "../../../lib/auth/mod.ts";
import { auditFor, body, errors, json, Message, requiredString, router, security, tags } from "./_shared.ts";

const AUTH_ERRORS = {
  401: "Missing apikey header / Invalid or expired session token",
  403: "Account is disabled / CSRF check failed",
};
const SESSION_ERRORS = {
  ...AUTH_ERRORS,
  403: `${AUTH_ERRORS[403]} / This endpoint requires a login session`,
};
const PW_REQUIRED = "current_password and new_password are required";

const Me = z.object({
  user: z.object({
    id: z.number(),
    username: z.string(),
    role: z.enum(["admin", "user"]),
    max_instances: z.number(),
    must_change_password: z.boolean(),
    email: z.string().nullable(),
    phone_number: z.string().nullable(),
    created_at: z.string(),
    totp_enabled: z.boolean(),
    instances: z.array(z.object({ instance_name: z.string(), created_at: z.string() })),
  }),
}).openapi("Me");

const ChangePassword = z.object({
  current_password: requiredString(PW_REQUIRED),
  new_password: z.string({ error: PW_REQUIRED }),
}, { error: PW_REQUIRED }).openapi("ChangePasswordRequest");

/** `/api/auth/me`, `change-password`, `logout`, `logout-all` (contract §1.3), not rate-limited per user. */
export function accountRoutes(deps: AppDeps) {
  const app = router();
  const auth = requireAuth(deps, { rateLimit: false });
  const sessionOnly = requireSessionCredential();

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/auth/me",
      tags,
      security,
      summary: "The logged-in user, with the instances it owns",
      middleware: [auth] as const,
      responses: { 200: json(Me, "The user"), ...errors(AUTH_ERRORS) },
    }),
    async (c) => {
      const id = c.var.user!.id;
      // One round trip: the profile and its owned instances (the credential itself came from the cache).
      const [u] = await deps.sql<{
        id: number;
        username: string;
        role: "admin" | "user";
        max_instances: number;
        must_change_password: boolean;
        email: string | null;
        phone_number: string | null;
        created_at: Date;
        totp_enabled: boolean;
        instances: { instance_name: string; created_at: string }[];
      }[]>`
        SELECT u.id, u.username, u.role, u.max_instances, u.must_change_password, u.email, u.phone_number,
               u.created_at, u.totp_enabled,
               coalesce((SELECT json_agg(json_build_object(
                           'instance_name', i.instance_name,
                           'created_at', to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                         ORDER BY i.created_at, i.id)
                         FROM taguato.user_instances i WHERE i.user_id = u.id), '[]') AS instances
        FROM taguato.users u WHERE u.id = ${id}`;
      if (!u) throw unauthorized("Invalid or expired session token");
      return c.json({ user: { ...u, created_at: u.created_at.toISOString() } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/change-password",
      tags,
      security,
      summary: "Change the own password; ends every session of the user",
      middleware: [auth, sessionOnly] as const,
      request: { body: body(ChangePassword) },
      responses: {
        200: json(Message, "Password changed successfully. Please login again."),
        ...errors({
          400: `${PW_REQUIRED} / a password policy message`,
          ...SESSION_ERRORS,
          401: `${SESSION_ERRORS[401]} / Current password is incorrect`,
        }),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const user = c.var.user!;
      // Policy first (contract order): no current-password oracle for a request that cannot succeed.
      const policy = passwordPolicyError(input.new_password);
      if (policy) throw badRequest(policy);
      const [row] = await deps.sql<{ password_hash: string }[]>`
        SELECT password_hash FROM taguato.users WHERE id = ${user.id} AND is_active`;
      if (!row || !await verifyPassword(row.password_hash, input.current_password)) {
        throw unauthorized("Current password is incorrect");
      }
      const hash = await hashPassword(input.new_password);
      await deps.sql`
        UPDATE taguato.users
        SET password_hash = ${hash}, must_change_password = false, updated_at = ${new Date(deps.clock.now())}
        WHERE id = ${user.id}`;
      await revokeUserSessions(deps, user.id);
      await invalidateUser(deps, user.id);
      await auditFor(deps, c, { action: "password_changed", resourceType: "user", resourceId: user.id });
      clearSessionCookie(c);
      return c.json({ message: "Password changed successfully. Please login again." }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/logout",
      tags,
      security,
      summary: "End the current session (and clear the panel cookie)",
      middleware: [auth, sessionOnly] as const,
      responses: { 200: json(Message, "Logged out successfully"), ...errors(SESSION_ERRORS) },
    }),
    async (c) => {
      const sessionId = c.var.sessionId!;
      await revokeSession(deps, sessionId);
      await auditFor(deps, c, { action: "user_logout", resourceType: "session", resourceId: sessionId });
      clearSessionCookie(c);
      return c.json({ message: "Logged out successfully" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/auth/logout-all",
      tags,
      security,
      summary: "End every session of the user, this one included",
      middleware: [auth, sessionOnly] as const,
      responses: { 200: json(Message, "All sessions logged out successfully"), ...errors(SESSION_ERRORS) },
    }),
    async (c) => {
      const user = c.var.user!;
      const n = await revokeUserSessions(deps, user.id);
      await auditFor(deps, c, {
        action: "user_logout_all",
        resourceType: "session",
        details: { sessions: n },
      });
      clearSessionCookie(c);
      return c.json({ message: "All sessions logged out successfully" }, 200);
    },
  );
  return app;
}
