/**
 * Circuit breaker for the engine (contract §3.2, fixed): the state lives in the shared cache so every
 * replica sees the same breaker, and after the open period exactly one half-open probe is let through
 * (a setIfAbsent lock) instead of snapping straight back to closed.
 *
 * Keys: `cb:failures` consecutive failures (atomic hit counter), `cb:open_until` epoch ms while open or
 * half-open, `cb:probe` the probe lock.
 */
import type { AppDeps } from "../core/mod.ts";

type Deps = Pick<AppDeps, "cache" | "clock" | "config" | "log">;

const FAILURES = "cb:failures";
const OPEN_UNTIL = "cb:open_until";
const PROBE = "cb:probe";
// Long enough never to expire between failures that still count as consecutive.
const FAILURE_WINDOW_MS = 24 * 60 * 60 * 1000;
// An entry that outlives this without any request has nothing left to protect.
const OPEN_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export type CircuitState = "closed" | "open" | "half_open";

/** What one request was allowed to do. */
export interface Admission {
  allowed: boolean;
  /** This request is the single half-open probe: its outcome closes or re-opens the breaker. */
  probe: boolean;
  /** Failures seen when admitted; a success only writes when there is something to reset. */
  failures: number;
}

export interface CircuitSnapshot {
  state: CircuitState;
  failures: number;
  open_until: string | null;
}

async function read(deps: Deps) {
  // Issued in the same tick, node-redis pipelines both reads into one round trip.
  const [until, failures] = await Promise.all([deps.cache.get(OPEN_UNTIL), deps.cache.get(FAILURES)]);
  return { openUntil: until === null ? null : Number(until), failures: Number(failures ?? 0) };
}

/** The breaker's state for admins (`GET /admin/engine`). */
export async function circuitSnapshot(deps: Deps): Promise<CircuitSnapshot> {
  const { openUntil, failures } = await read(deps);
  const state: CircuitState = openUntil === null
    ? "closed"
    : deps.clock.now() < openUntil
    ? "open"
    : "half_open";
  return { state, failures, open_until: openUntil === null ? null : new Date(openUntil).toISOString() };
}

/**
 * Decides whether a request may go to the engine: closed → yes; open → no; open period over → only the
 * request that wins the probe lock.
 */
export async function admit(deps: Deps): Promise<Admission> {
  const { openUntil, failures } = await read(deps);
  if (openUntil === null) return { allowed: true, probe: false, failures };
  if (deps.clock.now() < openUntil) return { allowed: false, probe: false, failures };
  // The lock outlives one engine call, so a probe that never reports back cannot wedge the breaker.
  const won = await deps.cache.setIfAbsent(PROBE, "1", deps.config.evolutionTimeoutMs + 5_000);
  return { allowed: won, probe: won, failures };
}

/** Records an engine answer below 500 (or a per-instance error): resets the count, closes after a probe. */
export async function recordSuccess(deps: Deps, admission: Admission): Promise<void> {
  if (admission.probe) {
    await deps.cache.del(OPEN_UNTIL, FAILURES, PROBE);
    deps.log.info("circuit breaker closed", { after: "probe succeeded" });
  } else if (admission.failures > 0) {
    await deps.cache.del(FAILURES);
  }
}

/** Records a 5xx, timeout or network failure: opens the breaker at the threshold; a failed probe re-opens. */
export async function recordFailure(deps: Deps, admission: Admission): Promise<void> {
  const threshold = deps.config.circuitBreakerThreshold;
  const { count } = await deps.cache.hit(FAILURES, FAILURE_WINDOW_MS);
  if (!admission.probe && count < threshold) return;
  const until = deps.clock.now() + deps.config.circuitBreakerOpenMs;
  await deps.cache.set(OPEN_UNTIL, String(until), OPEN_KEY_TTL_MS);
  if (admission.probe) await deps.cache.del(PROBE);
  deps.log.warn("circuit breaker open", {
    failures: count,
    open_until: new Date(until).toISOString(),
    reason: admission.probe ? "probe failed" : "threshold reached",
  });
}

/** Gives the probe lock back when the probe request never reached the engine (401, 403, 404...). */
export async function releaseProbe(deps: Deps, admission: Admission): Promise<void> {
  if (admission.probe) await deps.cache.del(PROBE);
}

// Evolution answers 500 for sends on a closed or never-connected instance: a tenant's state, not an
// engine outage, so it must not let one tenant open the breaker for everybody.
const INSTANCE_STATE_ERRORS = /Connection Closed|reading 'onWhatsApp'|instance is not connected/i;

/** Whether an engine answer counts as an engine failure for the breaker. */
export function isEngineFailure(status: number, bodyText = ""): boolean {
  if (status < 500) return false;
  return !(status === 500 && INSTANCE_STATE_ERRORS.test(bodyText.slice(0, 2_000)));
}
