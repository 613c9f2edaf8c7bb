import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  errorText,
  fail,
  idOr404,
  idPath,
  issue,
  jsonBody,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import {
  auditAs,
  createApiKey,
  findApiKey,
  keyStatus,
  listApiKeys,
  MAX_ACTIVE_KEYS,
} from "../../lib/accounts/mod.ts";
import {
  activePasswordHash,
  MAX_PASSWORD_LENGTH,
  requireSessionCredential,
  revokeApiKey,
  verifyPassword,
} from "../../lib/auth/mod.ts";
import { unreachableInstances } from "../../lib/gateway/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const NAMES = issue("key_instance_names_invalid");
const LIMIT_REACHED = errorText("key_limit_reached", { max: MAX_ACTIVE_KEYS });

const CreateKeyBody = z.object({
  password: z.string({ error: issue("password_required") }).min(1, issue("password_required"))
    .openapi({ description: "The caller's current password: a stolen session alone cannot mint a key" }),
  name: z.string({ error: issue("name_required") }).trim().min(1, issue("name_required"))
    .max(100, issue("name_too_long")).openapi({ example: "CRM integration" }),
  scope: z.enum(["full", "read", "send"], { error: issue("key_scope_invalid") }).default("full")
    .openapi({ description: "full: everything; read: GET-like calls only; send: message sends and reads" }),
  instance_names: z.array(z.string({ error: NAMES }).min(1, NAMES).max(100, NAMES), { error: NAMES })
    .min(1, NAMES).max(100, issue("key_instance_names_too_many")).nullable().optional()
    .openapi({ description: "Limit the key to these instances (default: all the owner can reach)" }),
  expires_at: z.iso.datetime({ offset: true, error: issue("key_expires_invalid") }).nullable().optional()
    .openapi({ example: "2027-01-01T00:00:00Z" }),
}, { error: issue("invalid_json") }).openapi("CreateApiKey");

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

const route = routeDocs({ tag: "API keys" });

/** `/api/keys` (mounted there): the caller's API keys. Creating and revoking need a login session. */
export function apiKeyRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);
  const sessionOnly = [requireSessionCredential()];

  app.openapi(
    route({
      method: "post",
      path: "/",
      middleware: sessionOnly,
      summary: "Create an API key (the key is shown only in this answer)",
      description: `At most ${MAX_ACTIVE_KEYS} active keys per user. Send it as the \`apikey\` header.`,
      request: { body: jsonBody(CreateKeyBody) },
      responses: {
        201: jsonContent(z.object({ api_key: ApiKeySchema.extend({ key: z.string() }) }), "The new key"),
      },
      errors: {
        400: "Validation failed / " + LIMIT_REACHED,
        401: ["current_password_incorrect"],
        403: `${errorText("key_instance_denied", { name: "<name>" })} / ${errorText("session_required")}`,
      },
    }),
    async (c) => {
      const me = c.var.user;
      const b = c.req.valid("json");
      const current = await activePasswordHash(sql, me.id);
      const tooLong = [...b.password].length > MAX_PASSWORD_LENGTH;
      if (!current || tooLong || !await verifyPassword(current, b.password)) {
        throw fail("current_password_incorrect");
      }
      const now = deps.clock.now();
      const expiresAt = b.expires_at ? new Date(b.expires_at) : null;
      if (expiresAt && expiresAt.getTime() <= now) throw fail("key_expires_past");
      const names = b.instance_names ? [...new Set(b.instance_names)] : null;
      if (names) {
        const [denied] = await unreachableInstances(sql, me, names);
        if (denied !== undefined) throw fail("key_instance_denied", { name: denied });
      }
      const created = await createApiKey(sql, {
        userId: me.id,
        name: b.name,
        scope: b.scope,
        instanceNames: names,
        expiresAt,
        now: new Date(now),
      });
      if (!created) throw fail("key_limit_reached", { max: MAX_ACTIVE_KEYS });
      const { row, key } = created;
      await auditAs(sql, me, c.var.clientIp, {
        action: "api_key_created",
        resourceType: "api_key",
        resourceId: row.id,
        details: { name: row.name, prefix: row.key_prefix, scope: row.scope },
      });
      return c.json({ api_key: { ...row, status: keyStatus(row, now), key } }, 201);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "My API keys, newest first (never the key itself)",
      responses: { 200: jsonContent(z.object({ api_keys: z.array(ApiKeySchema) }), "Keys") },
    }),
    async (c) => {
      const now = deps.clock.now();
      const rows = await listApiKeys(sql, c.var.user.id);
      return c.json({ api_keys: rows.map((k) => ({ ...k, status: keyStatus(k, now) })) }, 200);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: sessionOnly,
      summary: "Revoke one of my API keys (refused from its next request on)",
      request: { params: idPath("3") },
      responses: { 200: jsonContent(z.object({ revoked: z.object({ id: z.number().int() }) }), "Revoked") },
      errors: { 404: ["api_key_not_found"] },
    }),
    async (c) => {
      const me = c.var.user;
      const id = idOr404(c.req.valid("param").id, "api_key_not_found");
      const key = await findApiKey(sql, me.id, id);
      if (!key) throw fail("api_key_not_found");
      if (await revokeApiKey(deps, id, { userId: me.id })) {
        await auditAs(sql, me, c.var.clientIp, {
          action: "api_key_revoked",
          resourceType: "api_key",
          resourceId: id,
          details: { name: key.name, prefix: key.key_prefix },
        });
      }
      return c.json({ revoked: { id } }, 200);
    },
  );

  return app;
}
