import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  fail,
  idOr404,
  idPath,
  issue,
  jsonBody,
  jsonContent,
  onePage,
  PageInfo,
  pageParams,
  PageQuery,
  routeDocs,
} from "../../lib/core/mod.ts";
import {
  adminDeleteUser,
  auditAs,
  CreateUserBody,
  deleteEngineInstances,
  findUser,
  insertUser,
  listUsers,
  ownedInstances,
  uniqueViolation,
  UserSchema,
} from "../../lib/accounts/mod.ts";
import { hashPassword, invalidateUser, requireScope, revokeUserSessions } from "../../lib/auth/mod.ts";
import { forgetInstanceAccess } from "../../lib/gateway/mod.ts";
import { adminRouter } from "./_middleware.ts";
import { adminUserQuotaRoutes } from "./user_quota.ts";
import { adminUserSecurityRoutes } from "./user_security.ts";
import { adminUserUpdateRoutes } from "./user_update.ts";

const UserDetail = UserSchema.extend({
  instances: z.array(z.object({ instance_name: z.string(), created_at: z.string() })),
}).openapi("UserDetail");

const route = routeDocs({ tag: "Admin - Users", admin: true });
const idParams = idPath("2");

/**
 * `/admin/users/*` (contract §1.4), mounted there: create, list, read, update, delete, and the recovery
 * actions of user_security.ts. One router, so the folder's middleware runs once per request.
 */
export function adminUserRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);
  const write = [requireScope("full")];

  app.openapi(
    route({
      method: "post",
      path: "/",
      middleware: write,
      summary: "Create a user",
      request: { body: jsonBody(CreateUserBody) },
      responses: {
        201: jsonContent(z.object({ user: UserSchema }), "The new user (must change the password at login)"),
      },
      errors: { 400: "Validation failed", 409: ["username_taken", "email_taken"] },
    }),
    async (c) => {
      const me = c.var.user;
      const b = c.req.valid("json");
      const password_hash = await hashPassword(b.password);
      let user;
      try {
        user = await insertUser(sql, {
          username: b.username,
          password_hash,
          role: b.role,
          max_instances: b.max_instances,
          is_active: b.is_active,
          rate_limit: b.rate_limit ?? null,
          email: b.email ?? null,
          phone_number: b.phone_number ?? null,
        });
      } catch (err) {
        const dup = uniqueViolation(err);
        if (dup === "username") throw fail("username_taken");
        if (dup === "email") throw fail("email_taken");
        throw err;
      }
      await auditAs(sql, me, c.var.clientIp, {
        action: "user_created",
        resourceType: "user",
        resourceId: user.id,
        details: { username: user.username, role: user.role },
      });
      return c.json({ user }, 201);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "List users (paginated, ordered by id)",
      request: {
        query: PageQuery.extend({
          search: z.string().max(100, issue("search_too_long")).optional()
            .openapi({ description: "Case-insensitive literal substring of the username" }),
        }),
      },
      responses: {
        200: jsonContent(z.object({ users: z.array(UserSchema), ...PageInfo }), "One page of users"),
      },
      errors: { 400: ["page_invalid", "limit_invalid"] },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const search = q.search || undefined;
      return c.json(await onePage(pageParams(q), (window) => listUsers(sql, { search, ...window })), 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{id}",
      summary: "A user with the instances they own",
      request: { params: idParams },
      responses: { 200: jsonContent(z.object({ user: UserDetail }), "The user") },
      errors: { 404: ["user_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      const user = await findUser(sql, id);
      if (!user) throw fail("user_not_found");
      const instances = await ownedInstances(sql, id);
      return c.json({ user: { ...user, instances } }, 200);
    },
  );

  app.route("/", adminUserUpdateRoutes(deps));
  app.route("/", adminUserSecurityRoutes(deps));
  app.route("/", adminUserQuotaRoutes(deps));

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: write,
      summary: "Delete a user and everything they own",
      description: "Sessions, API keys, templates, logs... cascade. Audit rows keep the username.",
      request: { params: idParams },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), username: z.string() }) }),
          "Deleted",
        ),
      },
      errors: { 400: ["cannot_delete_self", "last_admin"], 404: ["user_not_found"] },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      if (id === me.id) throw fail("cannot_delete_self");
      if (!(await findUser(sql, id))) throw fail("user_not_found");
      // Revoked before the rows cascade away, so no replica keeps a cached session of the deleted user.
      await revokeUserSessions(deps, id);
      const { instances, grantees, ...deleted } = await adminDeleteUser(sql, id, me, c.var.clientIp);
      await invalidateUser(deps, id);
      await forgetInstanceAccess(deps, id, ...grantees);
      await deleteEngineInstances(deps, instances);
      return c.json({ deleted }, 200);
    },
  );

  return app;
}
