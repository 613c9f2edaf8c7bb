import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  fail,
  issue,
  jsonBody,
  jsonContent,
  parseId,
  pathParam,
  routeDocs,
} from "../../lib/core/mod.ts";
import {
  grantInstance,
  instanceOwnerId,
  listInstancesWithGrants,
  revokeInstanceGrant,
  userExists,
} from "../../lib/accounts/mod.ts";
import { invalidateUser, requireScope } from "../../lib/auth/mod.ts";
import { adminRouter } from "./_middleware.ts";

const USER_ID_REQUIRED = issue("user_id_required");
const USER_ID_NUMBER = issue("user_id_invalid");

const GrantBody = z.object({
  user_id: z.union([z.number(), z.string()], {
    error: (i) => (i.input === undefined || i.input === null ? USER_ID_REQUIRED : USER_ID_NUMBER),
  }).refine(
    (v) => typeof v === "number" ? Number.isSafeInteger(v) : /^[0-9]{1,15}$/.test(v.trim()),
    USER_ID_NUMBER,
  ).transform(Number).openapi({ example: 7 }),
}, { error: issue("invalid_json") }).openapi("InstanceGrant");

const Instance = z.object({
  instance_name: z.string(),
  channel_type: z.enum(["whatsapp", "telegram"]),
  created_at: z.string(),
  owner_id: z.number().int(),
  owner_username: z.string(),
  grants: z.array(z.object({ user_id: z.number().int(), username: z.string(), granted_at: z.string() })),
}).openapi("AdminInstance");

const GrantAnswer = z.object({ message: z.string(), instance: z.string(), user_id: z.number().int() });
const route = routeDocs({ tag: "Admin - Instances", admin: true });

/** `/admin/instances` (mounted there): every instance with its owner and grants, and grant management. */
export function adminInstanceRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);
  const write = [requireScope("full")];

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "All instances, newest first, with owner and grants",
      responses: { 200: jsonContent(z.object({ instances: z.array(Instance) }), "Instances") },
    }),
    async (c) => {
      return c.json({ instances: await listInstancesWithGrants(sql) }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{name}/grant",
      middleware: write,
      summary: "Give another user access to an instance",
      request: { params: z.object({ name: pathParam("name", "sales-bot") }), body: jsonBody(GrantBody) },
      responses: { 201: jsonContent(GrantAnswer, "Access granted") },
      errors: {
        400: ["user_id_required", "user_id_invalid", "grant_owner"],
        404: ["instance_not_found", "grant_target_not_found"],
        409: ["grant_exists"],
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { user_id } = c.req.valid("json");
      const ownerId = await instanceOwnerId(sql, name);
      if (ownerId === null) throw fail("instance_not_found");
      if (ownerId === user_id) throw fail("grant_owner");
      if (!(user_id >= 1 && await userExists(sql, user_id))) throw fail("grant_target_not_found");
      if (!await grantInstance(sql, name, user_id, c.var.user, c.var.clientIp)) throw fail("grant_exists");
      await invalidateUser(deps, user_id);
      return c.json({ message: "Access granted", instance: name, user_id }, 201);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{name}/grant/{uid}",
      middleware: write,
      summary: "Withdraw a user's access to an instance",
      request: {
        params: z.object({ name: pathParam("name", "sales-bot"), uid: pathParam("uid", "7") }),
      },
      responses: { 200: jsonContent(GrantAnswer, "Access revoked") },
      errors: { 404: ["grant_not_found"] },
    }),
    async (c) => {
      const { name, uid } = c.req.valid("param");
      const userId = parseId(uid);
      if (userId === null) throw fail("grant_not_found");
      if (!await revokeInstanceGrant(sql, name, userId, c.var.user, c.var.clientIp)) {
        throw fail("grant_not_found");
      }
      await invalidateUser(deps, userId);
      return c.json({ message: "Access revoked", instance: name, user_id: userId }, 200);
    },
  );

  return app;
}
