import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  errorTexts,
  fail,
  idOr404,
  idPath,
  issue,
  jsonBody,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import {
  adminUpdateUser,
  AUDITED_USER_VALUES,
  EmailSchema,
  IsActiveSchema,
  MaxInstancesSchema,
  passwordSchema,
  PhoneSchema,
  RateLimitSchema,
  RoleSchema,
  type UserChanges,
  UserSchema,
} from "../../lib/accounts/mod.ts";
import {
  hashPassword,
  invalidateUser,
  requireScope,
  revokeUserApiKeys,
  revokeUserSessions,
} from "../../lib/auth/mod.ts";

// Key order = validation order; `null` clears the nullable fields and is a 400 for the others.
const UpdateUserBody = z.object({
  role: RoleSchema.optional(),
  max_instances: MaxInstancesSchema.optional(),
  is_active: IsActiveSchema.optional(),
  rate_limit: RateLimitSchema.optional(),
  email: EmailSchema.optional(),
  phone_number: PhoneSchema.optional(),
  password: passwordSchema().optional(),
  regenerate_token: z.boolean({ error: issue("regenerate_token_invalid") }).optional()
    .openapi({ description: "true: sign the user out everywhere (revokes every session)" }),
}, { error: issue("invalid_json") }).openapi("UpdateUser");

const route = routeDocs({ tag: "Admin - Users", admin: true });

/**
 * `PUT /admin/users/{id}`: partial update with self-protection and the last-admin rule. Mounted inside
 * adminUserRoutes, whose router applies the folder's middleware.
 */
export function adminUserUpdateRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter<AuthEnv>();
  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      middleware: [requireScope("full")],
      summary: "Update a user (only the fields sent)",
      description: "A new password forces a change at next login and, like deactivation and " +
        "regenerate_token, signs the user out of every session.",
      request: { params: idPath("2"), body: jsonBody(UpdateUserBody) },
      responses: { 200: jsonContent(z.object({ user: UserSchema }), "The updated user") },
      errors: {
        400: "Validation failed / " +
          errorTexts([
            "no_fields_to_update",
            "cannot_change_own_role",
            "cannot_deactivate_self",
            "last_admin",
          ]),
        404: ["user_not_found"],
        409: ["email_taken"],
      },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      const b = c.req.valid("json");
      const fields = Object.entries(b)
        .filter(([k, v]) => v !== undefined && !(k === "regenerate_token" && v === false))
        .map(([k]) => k);
      if (fields.length === 0) throw fail("no_fields_to_update");
      if (id === me.id && b.role !== undefined && b.role !== me.role) throw fail("cannot_change_own_role");
      if (id === me.id && b.is_active === false) throw fail("cannot_deactivate_self");

      const changes: UserChanges = {};
      for (const k of AUDITED_USER_VALUES) if (b[k] !== undefined) Object.assign(changes, { [k]: b[k] });
      if (b.password !== undefined) {
        Object.assign(changes, {
          password_hash: await hashPassword(b.password),
          must_change_password: true,
          failed_login_attempts: 0,
          locked_until: null,
        });
      }

      const user = await adminUpdateUser(sql, id, changes, {
        demotes: b.role === "user" || b.is_active === false,
        fields,
        actor: me,
        ip: c.var.clientIp,
      });

      // After commit: every replica sees the new role/limits/state on the user's next request.
      if (b.password !== undefined || b.is_active === false || b.regenerate_token === true) {
        await revokeUserSessions(deps, id, id === me.id ? { exceptSessionId: c.var.sessionId } : {});
      }
      if (b.password !== undefined) await revokeUserApiKeys(deps, id);
      await invalidateUser(deps, id);
      return c.json({ user }, 200);
    },
  );
  return app;
}
