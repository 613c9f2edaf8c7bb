/**
 * The engine proxy's ordered middleware (contract §1.1 B): the circuit breaker comes before
 * authentication (an open breaker answers 503 to anyone), then the per-IP send limit, authentication,
 * and the per-user limit. Everything under routes/evolution runs behind exactly this list.
 */
import type { MiddlewareHandler } from "hono";
import { type AppDeps, fail } from "../../lib/core/mod.ts";
import { prefetchCredential, requireAuth } from "../../lib/auth/mod.ts";
import {
  ADMIN_AREAS,
  admit,
  decodeSegments,
  DEFAULT_ENGINE_ID,
  idempotent,
  instanceEngineId,
  instanceInPath,
  isSendPath,
  limitSendsByIp,
  limitUser,
  matchEngineRoute,
  recordFailure,
  recordSuccess,
  releaseProbe,
  severalEngines,
} from "../../lib/gateway/mod.ts";
import type { EvoAuthEnv, EvoEnv } from "./context.ts";

const area = (path: string) => path.split("/")[1]?.toLowerCase() ?? "";

/**
 * The engine whose breaker guards this request: the engine of the instance the path names (the default
 * one when it names none). With several engines create and fetchInstances get null: they pick their
 * engines later and use each engine's breaker themselves (context.ts underBreaker).
 */
async function gatedEngine(deps: AppDeps, method: string, path: string): Promise<number | null> {
  if (!(await severalEngines(deps))) return DEFAULT_ENGINE_ID;
  const segments = decodeSegments(path);
  const match = segments ? matchEngineRoute(method, segments) : null;
  if (match?.route.handler === "create" || match?.route.handler === "fetchInstances") return null;
  const instance = match ? match.instance ?? null : instanceInPath(path);
  return instance === null ? DEFAULT_ENGINE_ID : await instanceEngineId(deps, instance);
}

function circuitGate(deps: AppDeps): MiddlewareHandler<EvoEnv> {
  return async function circuitGate(c, next) {
    // The manager and engine docs are never blocked: admins use them to look at a failing engine.
    if (ADMIN_AREAS.has(area(c.req.path))) return await next();
    const engineId = await gatedEngine(deps, c.req.method, c.req.path);
    if (engineId === null) return await next();
    const admission = await admit(deps, engineId);
    if (!admission.allowed) {
      throw fail("engine_circuit_open", {}, {
        headers: { "Retry-After": String(Math.max(1, Math.ceil(deps.config.circuitBreakerOpenMs / 1000))) },
      });
    }
    c.set("engineGated", true);
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

function userLimit(deps: AppDeps): MiddlewareHandler<EvoAuthEnv> {
  return async function userLimit(c, next) {
    const headers = await limitUser(deps, c.var.user);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

/**
 * The list, in order: breaker → per-IP send limit → authentication → Idempotency-Key on sends (a replay
 * neither sends nor counts against the user's limit) → per-user limit. The credential's lookup starts
 * before the breaker only so both cache reads share a round trip; it decides nothing there.
 */
export function engineMiddleware(deps: AppDeps): MiddlewareHandler<EvoAuthEnv>[] {
  return [
    // Not a check: the credential's cache read goes out with the breaker's, in one Redis round trip.
    prefetchCredential(deps),
    circuitGate(deps),
    sendIpLimit(deps),
    requireAuth(deps, { rateLimit: false }),
    idempotent(deps, isSendPath),
    userLimit(deps),
    // One element type for the router's list; the first three do not read the user they precede.
  ] as MiddlewareHandler<EvoAuthEnv>[];
}
