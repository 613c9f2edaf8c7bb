/**
 * The sandbox's engine routes, built from the gateway's route table (lib/gateway/engine_routes.ts): every
 * row is mounted with its handler, and a row without one (or a handler without a row) stops the sandbox
 * from starting, so the allowlist and the sandbox cannot drift apart.
 */
import { type Context, Hono } from "hono";
import { ENGINE_ROUTES, type EngineRoute } from "../gateway/engine_routes.ts";
import { chatHandlers } from "./chat_routes.ts";
import { chatExtraHandlers } from "./chat_extra_routes.ts";
import type { SandboxContext } from "./context.ts";
import { groupHandlers } from "./group_routes.ts";
import { instanceGuard, type SandboxEnv } from "./guards.ts";
import { instanceHandlers } from "./instance_routes.ts";
import { messageKindHandlers } from "./message_kinds.ts";
import { messageHandlers } from "./message_routes.ts";
import { miscHandlers } from "./misc_routes.ts";
import { settingsHandlers } from "./settings_routes.ts";
import { webhookHandlers } from "./webhook_routes.ts";

export type Handler = (c: Context<SandboxEnv>) => Response | Promise<Response>;
/** Handlers keyed by `group/action`, the table's route id. */
export type Handlers = Record<string, Handler>;

/** `group/action` of a table row. */
export const routeId = (route: EngineRoute): string => `${route.group}/${route.action}`;

/** The path a row is served on, with `:instance` where the engine reads the instance name. */
export const routePath = (route: EngineRoute): string =>
  `/${routeId(route)}${route.instance ? "/:instance" : ""}`;

function allHandlers(ctx: SandboxContext): Handlers {
  return {
    ...instanceHandlers(ctx),
    ...settingsHandlers(ctx),
    ...webhookHandlers(ctx),
    ...messageHandlers(ctx),
    ...messageKindHandlers(ctx),
    ...chatHandlers(ctx),
    ...chatExtraHandlers(ctx),
    ...groupHandlers(ctx),
    ...miscHandlers(ctx),
  };
}

/** Mounts every table row (`routes`, by default the table); throws when the rows and handlers disagree. */
export function mountEngineRoutes(
  app: Hono<SandboxEnv>,
  ctx: SandboxContext,
  routes: readonly EngineRoute[] = ENGINE_ROUTES,
): void {
  const handlers = allHandlers(ctx);
  const ids = new Set(routes.map(routeId));
  const missing = [...ids].filter((id) => !handlers[id]);
  const extra = Object.keys(handlers).filter((id) => !ids.has(id));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      ...(missing.length ? [`no handler for ${missing.join(", ")}`] : []),
      ...(extra.length ? [`no table row for ${extra.join(", ")}`] : []),
    ];
    throw new Error(`sandbox routes out of step with lib/gateway/engine_routes.ts: ${parts.join("; ")}`);
  }
  const guard = instanceGuard(ctx);
  for (const route of routes) {
    const handler = handlers[routeId(route)];
    // Only the engine's own method (the first): 2.3.7 answers `PUT /instance/restart` 404 "Cannot PUT".
    const method = route.methods[0];
    if (route.instance) app.on(method, routePath(route), guard, handler);
    else app.on(method, routePath(route), handler);
  }
}
