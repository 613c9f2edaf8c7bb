/**
 * The engine-facing routes (contract §1.7, §1.8), mounted after every gateway route. Each request passes
 * the folder's middleware list (_middleware.ts: breaker → per-IP send limit → authentication → per-user
 * limit), then the allowlist match and ownership, then the route's logic or a plain forward.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { type AppDeps, fail } from "../../lib/core/mod.ts";
import { isSameOrigin } from "../../lib/auth/mod.ts";
import {
  ADMIN_AREAS,
  assertReachable,
  assertScope,
  decodeSegments,
  ENGINE_PREFIXES,
  errorResponse,
  EvolutionError,
  forwardedQuery,
  inlineMediaUrl,
  isMediaUrl,
  matchEngineRoute,
  MEDIA_FIELDS,
  namesInRequest,
  type SendAction,
  transportError,
  unknownShape,
} from "../../lib/gateway/mod.ts";
import { engineMiddleware } from "./_middleware.ts";
import { type EvoAuthEnv, type EvoContext, forwardAndRecord, readRequestBody } from "./context.ts";
import { connectInstance, createInstance, deleteInstance, fetchInstances } from "./instances.ts";
import { sendMessage } from "./messages.ts";

const caseless = (s: string) =>
  [...s].map((ch) => /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : `\\${ch}`).join("");
// Express matches routes case-insensitively, so `/MESSAGE/sendText/x` reaches the engine too.
const ENGINE_PATH = `/:area{(?:${[...ENGINE_PREFIXES].map(caseless).join("|")})}/*`;

function dispatch(deps: AppDeps): MiddlewareHandler<EvoAuthEnv> {
  const handle = route(deps);
  return async function dispatch(c) {
    try {
      return await handle(c);
    } catch (err) {
      // A typed engine call that never got an answer: the contract's 504/502, counted by the breaker.
      const transport =
        (err instanceof EvolutionError && err.kind !== "http" && err.kind !== "invalid_response") ||
        (err instanceof DOMException && err.name === "TimeoutError");
      if (!transport) throw err;
      c.set("engineFailed", true);
      return errorResponse(transportError(err));
    }
  };
}

function route(deps: AppDeps) {
  return async function route(c: EvoContext): Promise<Response> {
    const user = c.var.user;
    const key = c.get("apiKey");
    const admin = user.role === "admin";
    const url = new URL(c.req.url);
    const segments = decodeSegments(url.pathname);
    const req = await readRequestBody(c);
    // requireAuth checks the origin of cookie requests by method; here the route decides: a GET that
    // joins a group or starts a socket is a write all the same (an <img src> could fire it).
    const assertSameOriginUnlessRead = (read: boolean) => {
      if (!read && c.get("authVia") === "cookie" && !isSameOrigin(c, deps.config.publicUrl)) {
        throw fail("csrf_failed");
      }
    };
    // Everything outside the allowlist: admins (full-scope, unrestricted keys only) get the raw path.
    const raw = () => {
      if (!admin) throw unknownShape();
      if (key && (key.scope !== "full" || key.instanceNames)) {
        throw fail("api_key_scope");
      }
      // Unknown engine paths may change state whatever their method; the manager and docs are pages.
      assertSameOriginUnlessRead(!!segments && ADMIN_AREAS.has(segments[0].toLowerCase()));
      return forwardAndRecord(deps, c, {
        method: c.req.method,
        path: url.pathname + url.search,
        body: req.bytes,
      });
    };
    if (segments && ADMIN_AREAS.has(segments[0].toLowerCase()) && !admin) {
      if (segments[0].toLowerCase() === "manager") throw fail("manager_admin_required");
      throw fail("admin_required");
    }
    const match = segments ? matchEngineRoute(c.req.method, segments) : null;
    if (!match) return await raw();
    const { route, instance, upstreamPath } = match;
    assertSameOriginUnlessRead(route.kind === "read");
    if (route.admin && !admin) throw fail("admin_required");
    assertScope(key, route.kind);
    const query = forwardedQuery(route, url.searchParams);
    if (route.handler === "create") return await createInstance(deps, c, req);
    if (
      !admin &&
      (req.invalidJson || (req.bytes && req.fields === undefined && /form/i.test(req.contentType ?? "")))
    ) {
      throw fail("invalid_json");
    }
    const names = [
      ...(instance === undefined ? [] : [instance]),
      ...namesInRequest(url.searchParams, req.fields),
    ];
    await assertReachable(deps, user, key, names);
    const path = upstreamPath + query;
    switch (route.handler) {
      case "fetchInstances":
        return await fetchInstances(deps, c, query);
      case "delete":
        return await deleteInstance(deps, c, instance!);
      case "connect":
        return await connectInstance(deps, c, instance!, path);
      case "send":
        return await sendMessage(deps, c, route.action as SendAction, instance!, path, req);
      case "engineWebhook":
        // The engine webhook is the gateway's own event feed (its URL carries the ingest token); tenants
        // neither read nor replace it, and configure theirs via /api/webhooks.
        if (!admin) throw fail("engine_webhook_managed");
    }
    const picture = MEDIA_FIELDS[`${route.group}/${route.action}`];
    const fields = req.fields as Record<string, unknown> | undefined;
    if (picture && typeof fields === "object" && fields !== null && isMediaUrl(fields[picture])) {
      // A picture URL would be fetched by the engine: the gateway downloads it and sends base64.
      const body = await inlineMediaUrl(`${route.group}/${route.action}`, fields, {
        allowPrivate: deps.config.mediaAllowPrivate,
      });
      return await forwardAndRecord(deps, c, {
        method: route.methods[0],
        path,
        body: JSON.stringify(body),
        contentType: "application/json",
      });
    }
    return await forwardAndRecord(deps, c, {
      method: route.methods[0],
      path,
      body: req.bytes,
    });
  };
}

/** Mounts the proxy, instance and send routes on every engine path prefix. */
export function evolutionRoutes(deps: AppDeps): Hono<EvoAuthEnv> {
  const app = new Hono<EvoAuthEnv>();
  app.use(ENGINE_PATH, ...engineMiddleware(deps));
  app.all(ENGINE_PATH, dispatch(deps));
  return app;
}
