import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  createRouter,
  errorResponses,
  idOr404,
  jsonContent,
  legacyHttpError,
  LOCALE_COOKIE,
  negotiateLocale,
  notFound,
  pathParam,
  readCookie,
} from "../../lib/core/mod.ts";
import { audit, findUser } from "../../lib/accounts/mod.ts";
import {
  deliverCode,
  invalidateUser,
  issueCode,
  requireAdmin,
  requireAuth,
  requireScope,
} from "../../lib/auth/mod.ts";

const tags = ["Admin - Users"];
const security = [{ apikey: [] }];
const params = z.object({ id: pathParam("id", "2") });
const Message = z.object({ message: z.string() });

/** Admin recovery actions on a user: e-mail a reset code (contract §1.4) and reset 2FA. */
export function adminUserSecurityRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const middleware = [requireAuth(deps), requireAdmin(), requireScope("full")];

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/users/{id}/reset-password",
      tags,
      security,
      middleware,
      summary: "E-mail the user a recovery code (the password itself is not changed)",
      description: "The user then completes POST /api/auth/verify-reset-code and /api/auth/reset-password.",
      request: { params },
      responses: {
        200: jsonContent(Message, "Reset email sent to user"),
        ...errorResponses({
          400: "User has no email configured / SMTP is not configured",
          404: "User not found",
          500: "Failed to send reset email",
        }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "User not found");
      const user = await findUser(sql, id);
      if (!user) throw notFound("User not found");
      if (!user.email) throw badRequest("User has no email configured");
      if (!deps.config.smtp) throw badRequest("SMTP is not configured");
      const locale = negotiateLocale(
        readCookie(c.req.header("cookie"), LOCALE_COOKIE),
        c.req.header("accept-language"),
      );
      const code = await issueCode(deps, id, "admin_email");
      try {
        await deliverCode(deps, user, "admin_email", code, locale, me.username);
      } catch (err) {
        deps.log.error("admin reset e-mail failed", { user_id: id, error: String(err) });
        // Nobody can know an undelivered code; retire it anyway.
        await sql`UPDATE taguato.password_resets SET used_at = now() WHERE user_id = ${id} AND used_at IS NULL`;
        throw legacyHttpError(500, "Failed to send reset email");
      }
      await audit(sql, {
        userId: me.id,
        username: me.username,
        action: "admin_password_reset",
        resourceType: "user",
        resourceId: id,
        details: { target_username: user.username },
        ip: c.var.clientIp,
      });
      return c.json({ message: "Reset email sent to user" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/users/{id}/reset-2fa",
      tags,
      security,
      middleware,
      summary: "Turn off a user's two-factor authentication",
      description: "Clears the TOTP secret and every recovery code; the user can enable 2FA again.",
      request: { params },
      responses: {
        200: jsonContent(Message, "Two-factor authentication reset"),
        ...errorResponses({ 400: "2FA is not currently enabled", 404: "User not found" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "User not found");
      await sql.begin(async (tx) => {
        const user = await findUser(tx, id, { lock: true });
        if (!user) throw notFound("User not found");
        if (!user.totp_enabled) throw badRequest("2FA is not currently enabled");
        await tx`
          UPDATE taguato.users
          SET totp_enabled = false, totp_secret_enc = NULL, totp_last_step = NULL, updated_at = now()
          WHERE id = ${id}`;
        await tx`DELETE FROM taguato.totp_recovery_codes WHERE user_id = ${id}`;
        await audit(tx, {
          userId: me.id,
          username: me.username,
          action: "2fa_reset_by_admin",
          resourceType: "user",
          resourceId: id,
          details: { target_username: user.username },
          ip: c.var.clientIp,
        });
      });
      await invalidateUser(deps, id);
      return c.json({ message: "Two-factor authentication reset" }, 200);
    },
  );

  return app;
}
