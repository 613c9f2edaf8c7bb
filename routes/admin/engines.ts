/**
 * `/admin/engines`: the engines new instances are placed on (migration 0023). List with usage, breaker
 * and a live check; add; change (name, URL, key, capacity, enabled); delete an empty one. Disabling an
 * engine only stops placement: its instances stay reachable. The default engine (id 1) is the configured
 * EVOLUTION_API_URL: its URL and key cannot be changed here and it cannot be deleted.
 */
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  fail,
  idOr404,
  idPath,
  issue,
  jsonBody,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import { auditAs } from "../../lib/accounts/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import {
  createEngine,
  deleteEngine,
  type EngineChange,
  type EngineInfo,
  engineStatuses,
  updateEngine,
} from "../../lib/gateway/mod.ts";
import { adminRouter } from "./_middleware.ts";

/** An absolute http(s) URL without credentials, query or fragment; trailing slashes dropped. */
function engineUrl(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return null;
  }
  if (!["http:", "https:"].includes(u.protocol) || u.username || u.password || u.search || u.hash) {
    return null;
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
}

const Name = z.string({ error: issue("engine_name_invalid") }).trim()
  .min(1, issue("engine_name_invalid")).max(100, issue("engine_name_invalid"))
  .openapi({ example: "engine-b" });
const Url = z.string({ error: issue("engine_url_invalid") }).max(500, issue("engine_url_invalid"))
  .transform((v, ctx) =>
    engineUrl(v) ?? (ctx.addIssue({ code: "custom", message: issue("engine_url_invalid") }), z.NEVER)
  )
  .openapi({ type: "string", example: "http://evolution-2:8080" });
const ApiKey = z.string({ error: issue("engine_api_key_invalid") })
  .min(1, issue("engine_api_key_invalid")).max(500, issue("engine_api_key_invalid"))
  .openapi({ example: "the engine's AUTHENTICATION_API_KEY" });
const Capacity = z.number({ error: issue("engine_capacity_invalid") })
  .int(issue("engine_capacity_invalid")).min(0, issue("engine_capacity_invalid"))
  .max(1_000_000, issue("engine_capacity_invalid")).nullable()
  .openapi({ example: 200, description: "Maximum instances; null = no limit" });
const Enabled = z.boolean({ error: issue("engine_enabled_invalid") });

const CreateBody = z.object({
  name: Name,
  url: Url,
  api_key: ApiKey,
  capacity: Capacity.optional(),
  enabled: Enabled.optional(),
}, { error: issue("invalid_json") }).openapi("EngineCreate");

const UpdateBody = z.object({
  name: Name.optional(),
  url: Url.optional(),
  api_key: ApiKey.optional(),
  capacity: Capacity.optional(),
  enabled: Enabled.optional(),
}, { error: issue("invalid_json") }).openapi("EngineUpdate");

const Circuit = z.object({
  state: z.enum(["closed", "open", "half_open"]),
  failures: z.number().int(),
  open_until: z.string().nullable(),
});
const Engine = z.object({
  id: z.number().int(),
  name: z.string(),
  url: z.string().nullable().openapi({ description: "null for the default engine (EVOLUTION_API_URL)" }),
  capacity: z.number().int().nullable(),
  enabled: z.boolean(),
  instances: z.number().int(),
  is_default: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("Engine");
const EngineStatus = Engine.extend({
  circuit: Circuit,
  up: z.boolean().openapi({ description: "The engine answered GET / just now" }),
  version: z.string().nullable(),
}).openapi("EngineStatus");

const route = routeDocs({ tag: "Admin - Engines", admin: true });
const FIELD_ERRORS = [
  "engine_name_invalid",
  "engine_url_invalid",
  "engine_api_key_invalid",
  "engine_capacity_invalid",
  "engine_enabled_invalid",
] as const;

/** The engine of a change, or the change's error. */
function changed(result: EngineChange): EngineInfo {
  if (result.ok) return result.engine;
  throw fail(
    ({
      not_found: "engine_not_found",
      name_taken: "engine_name_taken",
      default_managed: "engine_default_managed",
      in_use: "engine_in_use",
    } as const)[result.reason],
  );
}

/** Mounted at /admin/engines. */
export function adminEnginesRoutes(deps: AppDeps) {
  const app = adminRouter(deps);
  const write = [requireScope("full")];

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Every engine with its usage, breaker and a live check",
      responses: { 200: jsonContent(z.object({ engines: z.array(EngineStatus) }), "Engines") },
    }),
    async (c) => c.json({ engines: await engineStatuses(deps) }, 200),
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      middleware: write,
      summary: "Add an engine new instances may be placed on",
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(z.object({ engine: Engine }), "Engine added") },
      errors: { 400: ["invalid_json", ...FIELD_ERRORS], 409: ["engine_name_taken"] },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const engine = changed(
        await createEngine(deps, {
          name: b.name,
          url: b.url,
          apiKey: b.api_key,
          capacity: b.capacity ?? null,
          enabled: b.enabled ?? true,
        }),
      );
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "engine_create",
        resourceType: "engine",
        resourceId: engine.id,
        details: { name: engine.name, url: engine.url, capacity: engine.capacity, enabled: engine.enabled },
      });
      return c.json({ engine }, 201);
    },
  );

  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      middleware: write,
      summary: "Change an engine (enabled: false stops placement; its instances stay reachable)",
      request: { params: idPath("2"), body: jsonBody(UpdateBody) },
      responses: { 200: jsonContent(z.object({ engine: Engine }), "Engine changed") },
      errors: {
        400: ["invalid_json", "no_fields_to_update", "engine_default_managed", ...FIELD_ERRORS],
        404: ["engine_not_found"],
        409: ["engine_name_taken"],
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "engine_not_found");
      const b = c.req.valid("json");
      const patch = { name: b.name, url: b.url, apiKey: b.api_key, capacity: b.capacity, enabled: b.enabled };
      if (Object.values(patch).every((v) => v === undefined)) throw fail("no_fields_to_update");
      const engine = changed(await updateEngine(deps, id, patch));
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "engine_update",
        resourceType: "engine",
        resourceId: id,
        // The key itself never reaches the audit log; only that it changed.
        details: {
          name: b.name,
          url: b.url,
          capacity: b.capacity,
          enabled: b.enabled,
          credential_changed: b.api_key !== undefined,
        },
      });
      return c.json({ engine }, 200);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: write,
      summary: "Delete an engine that holds no instance",
      request: { params: idPath("2") },
      responses: { 200: jsonContent(z.object({ message: z.string(), id: z.number().int() }), "Deleted") },
      errors: { 400: ["engine_default_managed"], 404: ["engine_not_found"], 409: ["engine_in_use"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "engine_not_found");
      const engine = changed(await deleteEngine(deps, id));
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "engine_delete",
        resourceType: "engine",
        resourceId: id,
        details: { name: engine.name },
      });
      return c.json({ message: "Engine deleted", id }, 200);
    },
  );

  return app;
}
