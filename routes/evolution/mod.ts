/**
 * The engine-facing routes (contract §1.7, §1.8), mounted after every gateway route. Order per request:
 * circuit breaker (before authentication, contract §1.1 B) → per-IP send limit → authentication → per-user
 * limit → allowlist match and ownership → the route's logic or a plain forward.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { type AppDeps, badRequest, forbidden, INVALID_JSON, legacyHttpError } from "../../lib/core/mod.ts";
import { requireAuth } from "../../lib/auth/mod.ts";
import {
  ADMIN_AREAS,
  admit,
  assertReachable,
  assertScope,
  decodeSegments,
  ENGINE_PREFIXES,
  errorResponse,
  EvolutionError,
  limitSendsByIp,
  limitUser,
  matchEngineRoute,
  namesInRequest,
  recordFailure,
  recordSuccess,
  releaseProbe,
  type SendAction,
  transportError,
  unknownShape,
} from "../../lib/gateway/mod.ts";
import { type EvoContext, type EvoEnv, forwardAndRecord, readRequestBody } from "./context.ts";
import { connectInstance, createInstance, deleteInstance, fetchInstances } from "./instances.ts";
import { sendMessage } from "./messages.ts";

const caseless = (s: string) =>
  [...s].map((ch) => /[a-z]/i.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : `\\${ch}`).join("");
// Express matches routes case-insensitively, so `/MESSAGE/sendText/x` reaches the engine too.
const ENGINE_PATH = `/:area{(?:${[...ENGINE_PREFIXES].map(caseless).join("|")})}/*`;

const area = (path: string) => path.split("/")[1]?.toLowerCase() ?? "";

function circuitGate(deps: AppDeps): MiddlewareHandler<EvoEnv> {
  return async function circuitGate(c, next) {
    // The manager and engine docs are never blocked: admins use them to look at a failing engine.
    if (ADMIN_AREAS.has(area(c.req.path))) return await next();
    const admission = await admit(deps);
    if (!admission.allowed) {
      throw legacyHttpError(503, "Service temporarily unavailable, please retry later", {}, {
        "Retry-After": String(Math.max(1, Math.ceil(deps.config.circuitBreakerOpenMs / 1000))),
      });
    }
    await next();
    const failed = c.get("engineFailed");
    if (failed === true) await recordFailure(deps, admission);
    else if (failed === false) await recordSuccess(deps, admission);
    else await releaseProbe(deps, admission);
  };
}

function sendIpLimit(deps: AppDeps): MiddlewareHandler<EvoEnv> {
  return async function sendIpLimit(c, next) {
    if (area(c.req.path) === "message") await limitSendsByIp(deps, c.get("clientIp"));
    await next();
  };
}

function userLimit(deps: AppDeps): MiddlewareHandler<EvoEnv> {
  return async function userLimit(c, next) {
    const headers = await limitUser(deps, c.get("user")!);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

function dispatch(deps: AppDeps): MiddlewareHandler<EvoEnv> {
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
    const user = c.get("user")!;
    const key = c.get("apiKey");
    const admin = user.role === "admin";
    const url = new URL(c.req.url);
    const segments = decodeSegments(url.pathname);
    const req = await readRequestBody(c);
    // Everything outside the allowlist: admins (full-scope, unrestricted keys only) get the raw path.
    const raw = () => {
      if (!admin) throw unknownShape();
      if (key && (key.scope !== "full" || key.instanceNames)) {
        throw forbidden("API key scope does not allow this request");
      }
      return forwardAndRecord(deps, c, {
        method: c.req.method,
        path: url.pathname + url.search,
        body: req.bytes,
      });
    };
    if (segments && ADMIN_AREAS.has(segments[0].toLowerCase()) && !admin) {
      throw forbidden(
        segments[0].toLowerCase() === "manager"
          ? "Admin access required for Manager"
          : "Admin access required",
      );
    }
    const match = segments ? matchEngineRoute(c.req.method, segments) : null;
    if (!match) return await raw();
    const { route, instance, upstreamPath } = match;
    assertScope(key, route.kind);
    if (route.handler === "create") return await createInstance(deps, c, req);
    if (
      !admin &&
      (req.invalidJson || (req.bytes && req.fields === undefined && /form/i.test(req.contentType ?? "")))
    ) {
      throw badRequest(INVALID_JSON);
    }
    const names = [
      ...(instance === undefined ? [] : [instance]),
      ...namesInRequest(url.searchParams, req.fields),
    ];
    await assertReachable(deps, user, key, names);
    const path = upstreamPath + url.search;
    switch (route.handler) {
      case "fetchInstances":
        return await fetchInstances(deps, c);
      case "delete":
        return await deleteInstance(deps, c, instance!);
      case "connect":
        return await connectInstance(deps, c, instance!, path);
      case "send":
        return await sendMessage(deps, c, route.action as SendAction, instance!, path, req);
      case "engineWebhook":
        // The engine webhook is the gateway's own event feed (its URL carries the ingest token); tenants
        // neither read nor replace it, and configure theirs via /api/webhooks.
        if (!admin) throw badRequest("Engine webhooks are managed by the gateway; use /api/webhooks");
    }
    return await forwardAndRecord(deps, c, {
      method: route.methods[0],
      path,
      body: req.bytes,
    });
  };
}

/** Mounts the proxy, instance and send routes on every engine path prefix. */
export function evolutionRoutes(deps: AppDeps): Hono<EvoEnv> {
  const app = new Hono<EvoEnv>();
  app.use(
    ENGINE_PATH,
    circuitGate(deps),
    sendIpLimit(deps),
    requireAuth(deps, { rateLimit: false }),
    userLimit(deps),
  );
  app.all(ENGINE_PATH, dispatch(deps));
  return app;
}
