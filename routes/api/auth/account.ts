import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  type ErrorCode,
  errorText,
  fail,
  issue,
  jsonBody,
  jsonContent,
  requiredString,
  routeDocs,
} from "../../../lib/core/mod.ts";
import {
  activePasswordHash,
  clearSessionCookie,
  hashPassword,
  invalidateUser,
  passwordPolicyError,
  revokeSession,
  revokeUserApiKeys,
  revokeUserSessions,
  setOwnPassword,
  userView,
  verifyPassword,
  viewResponse,
} from "../../../lib/auth/mod.ts";
import { findProfile } from "../../../lib/accounts/mod.ts";
import { auditFor, AUTH_TAG, authMiddleware } from "./_middleware.ts";

const AUTH_ERRORS: Record<401 | 403, ErrorCode[]> = {
  401: ["missing_apikey", "invalid_session"],
  403: ["account_disabled", "csrf_failed"],
};
const SESSION_ERRORS: Record<401 | 403, ErrorCode[]> = {
  ...AUTH_ERRORS,
  403: [...AUTH_ERRORS[403], "session_required"],
};
const route = routeDocs({ tag: AUTH_TAG, errors: AUTH_ERRORS });
const Message = z.object({ message: z.string() });

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
  current_password: requiredString("change_password_required"),
  new_password: z.string({ error: issue("change_password_required") }),
}, { error: issue("change_password_required") }).openapi("ChangePasswordRequest");

/**
 * `/api/auth/me`, `change-password`, `logout`, `logout-all` (contract §1.3), mounted at /api/auth. Every
 * route names the folder's middleware (none is rate-limited per user), so the router is typed AuthEnv.
 */
export function accountRoutes(deps: AppDeps) {
  const app = createRouter<AuthEnv>();
  const { signedIn, sessionOnly } = authMiddleware(deps);

  app.openapi(
    route({
      method: "get",
      path: "/me",
      summary: "The logged-in user, with the instances it owns",
      middleware: signedIn,
      responses: { 200: jsonContent(Me, "The user") },
    }),
    async (c) => {
      // From memory while nothing it shows has changed (user_views.ts); else one round trip for the
      // profile and its owned instances (the credential itself came from the cache).
      const body = await userView(deps, c.var.user, "me", async () => {
        const u = await findProfile(deps.sql, c.var.user.id);
        if (!u) throw fail("invalid_session");
        return { user: { ...u, created_at: u.created_at.toISOString() } };
      });
      return viewResponse(c, body);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/change-password",
      summary: "Change the own password; ends every session of the user",
      middleware: sessionOnly,
      request: { body: jsonBody(ChangePassword) },
      responses: { 200: jsonContent(Message, "Password changed successfully. Please login again.") },
      errors: {
        400: `${errorText("change_password_required")} / a password policy message`,
        ...SESSION_ERRORS,
        401: [...SESSION_ERRORS[401], "current_password_incorrect"],
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const user = c.var.user;
      // Policy first (contract order): no current-password oracle for a request that cannot succeed.
      const policy = passwordPolicyError(input.new_password);
      if (policy) throw fail(policy);
      const current = await activePasswordHash(deps.sql, user.id);
      if (!current || !await verifyPassword(current, input.current_password)) {
        throw fail("current_password_incorrect");
      }
      await setOwnPassword(
        deps.sql,
        user.id,
        await hashPassword(input.new_password),
        new Date(deps.clock.now()),
      );
      await revokeUserSessions(deps, user.id);
      await revokeUserApiKeys(deps, user.id);
      await invalidateUser(deps, user.id);
      await auditFor(deps, c, { action: "password_changed", resourceType: "user", resourceId: user.id });
      clearSessionCookie(c, deps.config.publicUrl);
      return c.json({ message: "Password changed successfully. Please login again." }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/logout",
      summary: "End the current session (and clear the panel cookie)",
      middleware: sessionOnly,
      responses: { 200: jsonContent(Message, "Logged out successfully") },
      errors: SESSION_ERRORS,
    }),
    async (c) => {
      // requireSessionCredential guarantees a session (never an API key) carried the request.
      const sessionId = c.var.sessionId;
      if (sessionId === undefined) throw fail("session_required");
      await revokeSession(deps, sessionId);
      await auditFor(deps, c, { action: "user_logout", resourceType: "session", resourceId: sessionId });
      clearSessionCookie(c, deps.config.publicUrl);
      return c.json({ message: "Logged out successfully" }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/logout-all",
      summary: "End every session of the user, this one included",
      middleware: sessionOnly,
      responses: { 200: jsonContent(Message, "All sessions logged out successfully") },
      errors: SESSION_ERRORS,
    }),
    async (c) => {
      const n = await revokeUserSessions(deps, c.var.user.id);
      await auditFor(deps, c, {
        action: "user_logout_all",
        resourceType: "session",
        details: { sessions: n },
      });
      clearSessionCookie(c, deps.config.publicUrl);
      return c.json({ message: "All sessions logged out successfully" }, 200);
    },
  );
  return app;
}
