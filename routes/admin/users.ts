import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  conflict,
  createRouter,
  errorResponses,
  idOr404,
  jsonBody,
  jsonContent,
  notFound,
  PageInfo,
  pageInfo,
  pageParams,
  PageQuery,
  pathParam,
} from "../../lib/core/mod.ts";
import {
  audit,
  CreateUserBody,
  deleteUser,
  findUser,
  insertUser,
  listUsers,
  lockActiveAdmins,
  ownedInstances,
  uniqueViolation,
  UserSchema,
} from "../../lib/accounts/mod.ts";
import {
  hashPassword,
  invalidateUser,
  requireAdmin,
  requireAuth,
  requireScope,
  revokeUserSessions,
} from "../../lib/auth/mod.ts";
import { updateUserRoute } from "./user_update.ts";

const UserDetail = UserSchema.extend({
  instances: z.array(z.object({ instance_name: z.string(), created_at: z.string() })),
}).openapi("UserDetail");

const tags = ["Admin - Users"];
const security = [{ apikey: [] }];
const idParams = z.object({ id: pathParam("id", "2") });

/** `/admin/users` and `/admin/users/{id}` (contract §1.4): create, list, read, update, delete. */
export function adminUserRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const read = [requireAuth(deps), requireAdmin()];
  const write = [...read, requireScope("full")];

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/users",
      tags,
      security,
      middleware: write,
      summary: "Create a user",
      request: { body: jsonBody(CreateUserBody) },
      responses: {
        201: jsonContent(z.object({ user: UserSchema }), "The new user (must change the password at login)"),
        ...errorResponses({
          400: "Validation failed",
          409: "Username already exists / Email already in use",
        }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
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
        if (dup === "username") throw conflict("Username already exists");
        if (dup === "email") throw conflict("Email already in use");
        throw err;
      }
      await audit(sql, {
        userId: me.id,
        username: me.username,
        action: "user_created",
        resourceType: "user",
        resourceId: user.id,
        details: { username: user.username, role: user.role },
        ip: c.var.clientIp,
      });
      return c.json({ user }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/users",
      tags,
      security,
      middleware: read,
      summary: "List users (paginated, ordered by id)",
      request: {
        query: PageQuery.extend({
          search: z.string().max(100, "search must be at most 100 characters").optional()
            .openapi({ description: "Case-insensitive literal substring of the username" }),
        }),
      },
      responses: {
        200: jsonContent(z.object({ users: z.array(UserSchema), ...PageInfo }), "One page of users"),
        ...errorResponses({ 400: "page must be a positive integer / limit must be a positive integer" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const { page, limit, offset } = pageParams(q);
      const { users, total } = await listUsers(sql, { search: q.search || undefined, limit, offset });
      return c.json({ users, ...pageInfo(total, page, limit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/users/{id}",
      tags,
      security,
      middleware: read,
      summary: "A user with the instances they own",
      request: { params: idParams },
      responses: {
        200: jsonContent(z.object({ user: UserDetail }), "The user"),
        ...errorResponses({ 404: "User not found" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "User not found");
      const user = await findUser(sql, id);
      if (!user) throw notFound("User not found");
      const instances = await ownedInstances(sql, id);
      return c.json({ user: { ...user, instances } }, 200);
    },
  );

  updateUserRoute(app, deps, write);

  app.openapi(
    createRoute({
      method: "delete",
      path: "/admin/users/{id}",
      tags,
      security,
      middleware: write,
      summary: "Delete a user and everything they own",
      description: "Sessions, API keys, templates, logs... cascade. Audit rows keep the username.",
      request: { params: idParams },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), username: z.string() }) }),
          "Deleted",
        ),
        ...errorResponses({
          400: "Cannot delete your own account / Cannot remove the last active admin",
          404: "User not found",
        }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "User not found");
      if (id === me.id) throw badRequest("Cannot delete your own account");
      if (!(await findUser(sql, id))) throw notFound("User not found");
      // Revoked before the rows cascade away, so no replica keeps a cached session of the deleted user.
      await revokeUserSessions(deps, id);
      const deleted = await sql.begin(async (tx) => {
        const admins = await lockActiveAdmins(tx);
        const target = await findUser(tx, id, { lock: true });
        if (!target) throw notFound("User not found");
        if (admins.includes(id) && admins.length === 1) {
          throw badRequest("Cannot remove the last active admin");
        }
        const row = (await deleteUser(tx, id))!;
        await audit(tx, {
          userId: me.id,
          username: me.username,
          action: "user_deleted",
          resourceType: "user",
          resourceId: id,
          details: { username: row.username },
          ip: c.var.clientIp,
        });
        return row;
      });
      await invalidateUser(deps, id);
      return c.json({ deleted }, 200);
    },
  );

  return app;
}
