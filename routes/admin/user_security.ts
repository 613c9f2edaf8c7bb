import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  fail,
  idOr404,
  idPath,
  jsonContent,
  LOCALE_COOKIE,
  negotiateLocale,
  readCookie,
  routeDocs,
} from "../../lib/core/mod.ts";
import { adminResetTwoFactor, auditAs, findUser } from "../../lib/accounts/mod.ts";
import {
  deliverCode,
  invalidateUser,
  issueCode,
  requireScope,
  retireResetCodes,
} from "../../lib/auth/mod.ts";

const route = routeDocs({ tag: "Admin - Users", admin: true });
const params = idPath("2");
const Message = z.object({ message: z.string() });

/**
 * Admin recovery actions on a user: e-mail a reset code (contract §1.4) and reset 2FA. Mounted inside
 * adminUserRoutes, whose router applies the folder's middleware.
 */
export function adminUserSecurityRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter<AuthEnv>();
  const middleware = [requireScope("full")];

  app.openapi(
    route({
      method: "post",
      path: "/{id}/reset-password",
      middleware,
      summary: "E-mail the user a recovery code (the password itself is not changed)",
      description: "The user then completes POST /api/auth/verify-reset-code and /api/auth/reset-password.",
      request: { params },
      responses: {
        200: jsonContent(Message, "Reset email sent to user"),
      },
      errors: {
        400: ["user_no_email", "smtp_not_configured"],
        404: ["user_not_found"],
        500: ["reset_email_failed"],
      },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      const user = await findUser(sql, id);
      if (!user) throw fail("user_not_found");
      if (!user.email) throw fail("user_no_email");
      if (!deps.config.smtp) throw fail("smtp_not_configured");
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
        await retireResetCodes(sql, id);
        throw fail("reset_email_failed");
      }
      await auditAs(sql, me, c.var.clientIp, {
        action: "admin_password_reset",
        resourceType: "user",
        resourceId: id,
        details: { target_username: user.username },
      });
      return c.json({ message: "Reset email sent to user" }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{id}/reset-2fa",
      middleware,
      summary: "Turn off a user's two-factor authentication",
      description: "Clears the TOTP secret and every recovery code; the user can enable 2FA again.",
      request: { params },
      responses: {
        200: jsonContent(Message, "Two-factor authentication reset"),
      },
      errors: { 400: ["tfa_not_enabled"], 404: ["user_not_found"] },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      await adminResetTwoFactor(sql, id, me, c.var.clientIp, new Date(deps.clock.now()));
      await invalidateUser(deps, id);
      return c.json({ message: "Two-factor authentication reset" }, 200);
    },
  );

  return app;
}
