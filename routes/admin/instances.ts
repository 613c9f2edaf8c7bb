import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  conflict,
  createRouter,
  errorResponses,
  jsonBody,
  jsonContent,
  notFound,
  parseId,
  pathParam,
} from "../../lib/core/mod.ts";
import { audit } from "../../lib/accounts/mod.ts";
import { invalidateUser, requireAdmin, requireAuth, requireScope } from "../../lib/auth/mod.ts";

const USER_ID_REQUIRED = "user_id is required";
const USER_ID_NUMBER = "user_id must be a number";

const GrantBody = z.object({
  user_id: z.union([z.number(), z.string()], {
    error: (i) => (i.input === undefined || i.input === null ? USER_ID_REQUIRED : USER_ID_NUMBER),
  }).refine(
    (v) => typeof v === "number" ? Number.isSafeInteger(v) : /^[0-9]{1,15}$/.test(v.trim()),
    USER_ID_NUMBER,
  ).transform(Number).openapi({ example: 7 }),
}, { error: "Invalid JSON body" }).openapi("InstanceGrant");

const Instance = z.object({
  instance_name: z.string(),
  channel_type: z.enum(["whatsapp", "telegram"]),
  created_at: z.string(),
  owner_id: z.number().int(),
  owner_username: z.string(),
  grants: z.array(z.object({ user_id: z.number().int(), username: z.string(), granted_at: z.string() })),
}).openapi("AdminInstance");

const GrantAnswer = z.object({ message: z.string(), instance: z.string(), user_id: z.number().int() });
const tags = ["Admin - Instances"];
const security = [{ apikey: [] }];

/** `/admin/instances`: every registered instance with its owner and grants, and grant management. */
export function adminInstanceRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const read = [requireAuth(deps), requireAdmin()];
  const write = [...read, requireScope("full")];

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/instances",
      tags,
      security,
      middleware: read,
      summary: "All instances, newest first, with owner and grants",
      responses: {
        200: jsonContent(z.object({ instances: z.array(Instance) }), "Instances"),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const instances = await sql<z.infer<typeof Instance>[]>`
        SELECT ui.instance_name, ui.channel_type, ui.created_at, ui.user_id AS owner_id,
               u.username AS owner_username,
               COALESCE((
                 SELECT json_agg(json_build_object('user_id', p.grantee_user_id, 'username', g.username,
                                                   'granted_at', p.granted_at) ORDER BY p.granted_at, p.id)
                 FROM taguato.instance_permissions p JOIN taguato.users g ON g.id = p.grantee_user_id
                 WHERE p.instance_name = ui.instance_name), '[]'::json) AS grants
        FROM taguato.user_instances ui JOIN taguato.users u ON u.id = ui.user_id
        ORDER BY ui.created_at DESC, ui.id DESC`;
      return c.json({ instances }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/instances/{name}/grant",
      tags,
      security,
      middleware: write,
      summary: "Give another user access to an instance",
      request: { params: z.object({ name: pathParam("name", "sales-bot") }), body: jsonBody(GrantBody) },
      responses: {
        201: jsonContent(GrantAnswer, "Access granted"),
        ...errorResponses({
          400: "user_id is required / user_id must be a number / User is already the instance owner",
          404: "Instance not found / Target user not found",
          409: "User already has access to this instance",
        }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const { name } = c.req.valid("param");
      const { user_id } = c.req.valid("json");
      const [instance] = await sql<{ user_id: number }[]>`
        SELECT user_id FROM taguato.user_instances WHERE instance_name = ${name}`;
      if (!instance) throw notFound("Instance not found");
      if (instance.user_id === user_id) throw badRequest("User is already the instance owner");
      const [target] = user_id >= 1 ? await sql`SELECT 1 FROM taguato.users WHERE id = ${user_id}` : [];
      if (!target) throw notFound("Target user not found");
      const inserted = await sql.begin(async (tx) => {
        const rows = await tx`
          INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
          VALUES (${name}, ${user_id}, ${me.id})
          ON CONFLICT (instance_name, grantee_user_id) DO NOTHING RETURNING id`;
        if (rows.length === 0) return false;
        await audit(tx, {
          userId: me.id,
          username: me.username,
          action: "instance_grant_created",
          resourceType: "instance",
          resourceId: name,
          details: { grantee_user_id: user_id },
          ip: c.var.clientIp,
        });
        return true;
      });
      if (!inserted) throw conflict("User already has access to this instance");
      await invalidateUser(deps, user_id);
      return c.json({ message: "Access granted", instance: name, user_id }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/admin/instances/{name}/grant/{uid}",
      tags,
      security,
      middleware: write,
      summary: "Withdraw a user's access to an instance",
      request: {
        params: z.object({ name: pathParam("name", "sales-bot"), uid: pathParam("uid", "7") }),
      },
      responses: {
        200: jsonContent(GrantAnswer, "Access revoked"),
        ...errorResponses({ 404: "Permission not found" }),
        ...authErrors(true),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const { name, uid } = c.req.valid("param");
      const userId = parseId(uid);
      if (userId === null) throw notFound("Permission not found");
      const removed = await sql.begin(async (tx) => {
        const rows = await tx`
          DELETE FROM taguato.instance_permissions
          WHERE instance_name = ${name} AND grantee_user_id = ${userId} RETURNING id`;
        if (rows.length === 0) return false;
        await audit(tx, {
          userId: me.id,
          username: me.username,
          action: "instance_grant_revoked",
          resourceType: "instance",
          resourceId: name,
          details: { grantee_user_id: userId },
          ip: c.var.clientIp,
        });
        return true;
      });
      if (!removed) throw notFound("Permission not found");
      await invalidateUser(deps, userId);
      return c.json({ message: "Access revoked", instance: name, user_id: userId }, 200);
    },
  );

  return app;
}
