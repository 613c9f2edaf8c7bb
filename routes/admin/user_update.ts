import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  type AppDeps,
  type AppEnv,
  authErrors,
  badRequest,
  conflict,
  errorResponses,
  idOr404,
  jsonBody,
  jsonContent,
  notFound,
  pathParam,
} from "../../lib/core/mod.ts";
import {
  audit,
  EmailSchema,
  findUser,
  IsActiveSchema,
  lockActiveAdmins,
  MaxInstancesSchema,
  passwordSchema,
  PhoneSchema,
  RateLimitSchema,
  RoleSchema,
  uniqueViolation,
  updateUser,
  type UserChanges,
  UserSchema,
} from "../../lib/accounts/mod.ts";
import { hashPassword, invalidateUser, revokeUserSessions } from "../../lib/auth/mod.ts";

// Key order = validation order; `null` clears the nullable fields and is a 400 for the others.
const UpdateUserBody = z.object({
  role: RoleSchema.optional(),
  max_instances: MaxInstancesSchema.optional(),
  is_active: IsActiveSchema.optional(),
  rate_limit: RateLimitSchema.optional(),
  email: EmailSchema.optional(),
  phone_number: PhoneSchema.optional(),
  password: passwordSchema().optional(),
  regenerate_token: z.boolean({ error: "regenerate_token must be a boolean" }).optional()
    .openapi({ description: "true: sign the user out everywhere (revokes every session)" }),
}, { error: "Invalid JSON body" }).openapi("UpdateUser");

/** Fields whose values may appear in the audit row (everything but the password). */
const AUDITED_VALUES = ["role", "max_instances", "is_active", "rate_limit", "email", "phone_number"] as const;

/** `PUT /admin/users/{id}`: partial update with self-protection and the last-admin rule. */
export function updateUserRoute(
  app: OpenAPIHono<AppEnv>,
  deps: AppDeps,
  middleware: MiddlewareHandler<AppEnv>[],
) {
  const { sql } = deps;
  app.openapi(
    createRoute({
      method: "put",
      path: "/admin/users/{id}",
      tags: ["Admin - Users"],
      security: [{ apikey: [] }],
      middleware,
      summary: "Update a user (only the fields sent)",
      description: "A new password forces a change at next login and, like deactivation and " +
        "regenerate_token, signs the user out of every session.",
      request: { params: z.object({ id: pathParam("id", "2") }), body: jsonBody(UpdateUserBody) },
      responses: {
        200: jsonContent(z.object({ user: UserSchema }), "The updated user"),
        ...errorResponses({
          400: "Validation failed / No fields to update / Cannot change your own role / " +
            "Cannot deactivate your own account / Cannot remove the last active admin",
          404: "User not found",
          409: "Email already in use",
        }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "User not found");
      const b = c.req.valid("json");
      const fields = Object.entries(b)
        .filter(([k, v]) => v !== undefined && !(k === "regenerate_token" && v === false))
        .map(([k]) => k);
      if (fields.length === 0) throw badRequest("No fields to update");
      if (id === me.id && b.role !== undefined && b.role !== me.role) {
        throw badRequest("Cannot change your own role");
      }
      if (id === me.id && b.is_active === false) throw badRequest("Cannot deactivate your own account");

      const changes: UserChanges = {};
      for (const k of AUDITED_VALUES) if (b[k] !== undefined) Object.assign(changes, { [k]: b[k] });
      if (b.password !== undefined) {
        Object.assign(changes, {
          password_hash: await hashPassword(b.password),
          must_change_password: true,
          failed_login_attempts: 0,
          locked_until: null,
        });
      }

      const user = await sql.begin(async (tx) => {
        // Admins are locked before the target (same order everywhere) so concurrent demotions serialise.
        const admins = b.role === "user" || b.is_active === false ? await lockActiveAdmins(tx) : null;
        const before = await findUser(tx, id, { lock: true });
        if (!before) throw notFound("User not found");
        if (admins && admins.includes(id) && admins.length === 1) {
          throw badRequest("Cannot remove the last active admin");
        }
        let after;
        try {
          after = (await updateUser(tx, id, changes))!;
        } catch (err) {
          if (uniqueViolation(err) === "email") throw conflict("Email already in use");
          throw err;
        }
        const values = Object.fromEntries(
          AUDITED_VALUES.filter((k) => k in changes).map((k) => [k, after[k]]),
        );
        await audit(tx, {
          userId: me.id,
          username: me.username,
          action: "user_updated",
          resourceType: "user",
          resourceId: id,
          details: { username: after.username, fields, values },
          ip: c.var.clientIp,
        });
        return after;
      });

      // After commit: every replica sees the new role/limits/state on the user's next request.
      if (b.password !== undefined || b.is_active === false || b.regenerate_token === true) {
        await revokeUserSessions(deps, id, id === me.id ? { exceptSessionId: c.var.sessionId } : {});
      }
      await invalidateUser(deps, id);
      return c.json({ user }, 200);
    },
  );
}
