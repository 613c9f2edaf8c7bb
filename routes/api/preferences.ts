// /api/preferences: the caller's own settings. Today the time zone a scheduled time without offset is
// read in (null: the deployment's DEFAULT_TIME_ZONE).
import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import { type AppDeps, type AuthEnv, fail, jsonContent } from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import {
  canonicalTimeZone,
  requireTimeZone,
  setUserTimeZone,
  userTimeZone,
} from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import { documented, readObject } from "./_manual.ts";

const Preferences = z.object({
  time_zone: z.string().nullable().openapi({ description: "Your setting; null follows the default" }),
  effective_time_zone: z.string().openapi({ example: "America/Asuncion" }),
  default_time_zone: z.string(),
}).openapi("Preferences");

/** GET and PUT /api/preferences (mounted at /api/preferences). */
export function preferencesApiRoutes(deps: AppDeps) {
  const app = tenantRouter(deps);
  const answer = async (c: Context<AuthEnv>) => {
    const mine = canonicalTimeZone(await userTimeZone(deps.sql, c.var.user.id));
    return c.json({
      time_zone: mine,
      effective_time_zone: mine ?? deps.config.defaultTimeZone,
      default_time_zone: deps.config.defaultTimeZone,
    }, 200);
  };
  const doc = { tags: ["Preferences"], security: [{ apikey: [] }], path: "/" };

  documented(app, {
    ...doc,
    method: "get",
    middleware: [requireScope("full", "read")],
    summary: "My preferences",
    responses: { 200: jsonContent(Preferences, "Preferences") },
  }, answer);

  documented(app, {
    ...doc,
    method: "put",
    middleware: [requireScope("full")],
    summary: "Change my preferences (time_zone: an IANA name, or null for the default)",
    request: {
      body: { content: { "application/json": { schema: z.object({ time_zone: z.string().nullable() }) } } },
    },
    responses: { 200: jsonContent(Preferences, "Preferences") },
  }, async (c) => {
    const body = await readObject(c);
    const zone = body.time_zone;
    if (zone === undefined) throw fail("no_fields_to_update");
    await setUserTimeZone(deps.sql, c.var.user.id, zone === null ? null : requireTimeZone(zone));
    return await answer(c);
  });

  return app;
}
