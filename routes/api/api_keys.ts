import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  createRouter,
  errorResponses,
  forbidden,
  idOr404,
  jsonBody,
  jsonContent,
  notFound,
  pathParam,
} from "../../lib/core/mod.ts";
import {
  audit,
  createApiKey,
  findApiKey,
  keyStatus,
  listApiKeys,
  MAX_ACTIVE_KEYS,
} from "../../lib/accounts/mod.ts";
import { requireAuth, requireSessionCredential, revokeApiKey } from "../../lib/auth/mod.ts";
import { unreachableInstances } from "../../lib/gateway/mod.ts";

const NAMES = "instance_names must be a non-empty array of instance names (or null)";
const EXPIRES = "expires_at must be an ISO 8601 date-time with a time zone";
const LIMIT_REACHED = `API key limit reached (${MAX_ACTIVE_KEYS} active keys)`;

const CreateKeyBody = z.object({
  name: z.string({ error: "name is required" }).trim().min(1, "name is required")
    .max(100, "name must be at most 100 characters").openapi({ example: "CRM integration" }),
  scope: z.enum(["full", "read", "send"], { error: "scope must be one of: full, read, send" }).default("full")
    .openapi({ description: "full: everything; read: GET-like calls only; send: message sends and reads" }),
  instance_names: z.array(z.string({ error: NAMES }).min(1, NAMES).max(100, NAMES), { error: NAMES })
    .min(1, NAMES).max(100, "instance_names accepts at most 100 instances").nullable().optional()
    .openapi({ description: "Limit the key to these instances (default: all the owner can reach)" }),
  expires_at: z.iso.datetime({ offset: true, error: EXPIRES }).nullable().optional()
    .openapi({ example: "2027-01-01T00:00:00Z" }),
}, { error: "Invalid JSON body" }).openapi("CreateApiKey");

const ApiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  key_prefix: z.string().openapi({ description: "First 10 characters, to tell keys apart" }),
  scope: z.enum(["full", "read", "send"]),
  instance_names: z.array(z.string()).nullable(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  last_used_ip: z.string().nullable(),
  revoked_at: z.string().nullable(),
  created_at: z.string(),
  status: z.enum(["active", "expired", "revoked"]),
}).openapi("ApiKey");

const tags = ["API keys"];
const security = [{ apikey: [] }];

/** `/api/keys`: the caller's API keys. Creating and revoking need a login session, never a key. */
export function apiKeyRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const sessionOnly = [requireAuth(deps), requireSessionCredential()];

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/keys",
      tags,
      security,
      middleware: sessionOnly,
      summary: "Create an API key (the key is shown only in this answer)",
      description: `At most ${MAX_ACTIVE_KEYS} active keys per user. Send it as the \`apikey\` header.`,
      request: { body: jsonBody(CreateKeyBody) },
      responses: {
        201: jsonContent(z.object({ api_key: ApiKeySchema.extend({ key: z.string() }) }), "The new key"),
        ...errorResponses({ 400: "Validation failed / " + LIMIT_REACHED }),
        ...authErrors(false),
        403: jsonContent(
          z.object({ error: z.string() }),
          "You do not own this instance: <name> / This endpoint requires a login session",
        ),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const b = c.req.valid("json");
      const now = deps.clock.now();
      const expiresAt = b.expires_at ? new Date(b.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= now) throw badRequest("expires_at must be in the future");
      const names = b.instance_names ? [...new Set(b.instance_names)] : null;
      if (names) {
        const [denied] = await unreachableInstances(sql, me, names);
        if (denied !== undefined) throw forbidden(`You do not own this instance: ${denied}`);
      }
      const created = await createApiKey(sql, {
        userId: me.id,
        name: b.name,
        scope: b.scope,
        instanceNames: names,
        expiresAt,
        now: new Date(now),
      });
      if (!created) throw badRequest(LIMIT_REACHED);
      const { row, key } = created;
      await audit(sql, {
        userId: me.id,
        username: me.username,
        action: "api_key_created",
        resourceType: "api_key",
        resourceId: row.id,
        details: { name: row.name, prefix: row.key_prefix, scope: row.scope },
        ip: c.var.clientIp,
      });
      return c.json({ api_key: { ...row, status: keyStatus(row, now), key } }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/keys",
      tags,
      security,
      middleware: [requireAuth(deps)],
      summary: "My API keys, newest first (never the key itself)",
      responses: {
        200: jsonContent(z.object({ api_keys: z.array(ApiKeySchema) }), "Keys"),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const now = deps.clock.now();
      const rows = await listApiKeys(sql, c.var.user!.id);
      return c.json({ api_keys: rows.map((k) => ({ ...k, status: keyStatus(k, now) })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/keys/{id}",
      tags,
      security,
      middleware: sessionOnly,
      summary: "Revoke one of my API keys (refused from its next request on)",
      request: { params: z.object({ id: pathParam("id", "3") }) },
      responses: {
        200: jsonContent(z.object({ revoked: z.object({ id: z.number().int() }) }), "Revoked"),
        ...errorResponses({ 404: "API key not found" }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const me = c.var.user!;
      const id = idOr404(c.req.valid("param").id, "API key not found");
      const key = await findApiKey(sql, me.id, id);
      if (!key) throw notFound("API key not found");
      if (await revokeApiKey(deps, id, { userId: me.id })) {
        await audit(sql, {
          userId: me.id,
          username: me.username,
          action: "api_key_revoked",
          resourceType: "api_key",
          resourceId: id,
          details: { name: key.name, prefix: key.key_prefix },
          ip: c.var.clientIp,
        });
      }
      return c.json({ revoked: { id } }, 200);
    },
  );

  return app;
}
