/**
 * The engine proxy's ordered middleware (contract §1.1 B): the circuit breaker comes before
 * authentication (an open breaker answers 503 to anyone), then the per-IP send limit, authentication,
 * and the per-user limit. Everything under routes/evolution runs behind exactly this list.
 */
import type { MiddlewareHandler } from "hono";
import { type AppDeps, fail } from "../../lib/core/mod.ts";
import { requireAuth } from "../../lib/auth/mod.ts";
import {
  ADMIN_AREAS,
  admit,
  idempotent,
  isSendPath,
  limitSendsByIp,
  limitUser,
  recordFailure,
  recordSuccess,
  releaseProbe,
} from "../../lib/gateway/mod.ts";
import type { EvoAuthEnv, EvoEnv } from "./context.ts";

const area = (path: string) => path.split("/")[1]?.toLowerCase() ?? "";

function circuitGate(deps: AppDeps): MiddlewareHandler<EvoEnv> {
  return async function circuitGate(c, next) {
    // The manager and engine docs are never blocked: admins use them to look at a failing engine.
    if (ADMIN_AREAS.has(area(c.req.path))) return await next();
    const admission = await admit(deps);
    if (!admission.allowed) {
      throw fail("engine_circuit_open", {}, {
        headers: { "Retry-After": String(Math.max(1, Math.ceil(deps.config.circuitBreakerOpenMs / 1000))) },
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

function userLimit(deps: AppDeps): MiddlewareHandler<EvoAuthEnv> {
  return async function userLimit(c, next) {
    const headers = await limitUser(deps, c.var.user);
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}

/**
 * The list, in order: breaker → per-IP send limit → authentication → Idempotency-Key on sends (a replay
 * neither sends nor counts against the user's limit) → per-user limit.
 */
export function engineMiddleware(deps: AppDeps): MiddlewareHandler<EvoAuthEnv>[] {
  return [
    circuitGate(deps),
    sendIpLimit(deps),
    requireAuth(deps, { rateLimit: false }),
    idempotent(deps, isSendPath),
    userLimit(deps),
    // One element type for the router's list; the first three do not read the user they precede.
  ] as MiddlewareHandler<EvoAuthEnv>[];
}
