/**
 * Circuit breakers, one per engine (contract §3.2, fixed): the state lives in the shared cache so every
 * replica sees the same breaker, and after the open period exactly one half-open probe is let through
 * (a setIfAbsent lock) instead of snapping straight back to closed. An engine going down opens only its
 * own breaker, so only its instances are refused.
 *
 * Keys (default engine; engine N uses `cb:N:…`): `cb:failures` consecutive failures (atomic hit counter),
 * `cb:open_until` epoch ms while open or half-open, `cb:probe` the probe lock.
 */
import type { AppDeps } from "../core/mod.ts";
import { DEFAULT_ENGINE_ID } from "./engine_client.ts";

type Deps = Pick<AppDeps, "cache" | "clock" | "config" | "log">;

// The default engine keeps the keys it had before there were several engines.
const prefix = (engineId: number) => engineId === DEFAULT_ENGINE_ID ? "cb:" : `cb:${engineId}:`;
const keys = (engineId: number) => {
  const p = prefix(engineId);
  return { failures: `${p}failures`, openUntil: `${p}open_until`, probe: `${p}probe` };
};
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
  /** The engine whose breaker admitted it. */
  engineId: number;
}

export interface CircuitSnapshot {
  state: CircuitState;
  failures: number;
  open_until: string | null;
}

async function read(deps: Deps, engineId: number) {
  const k = keys(engineId);
  // Issued in the same tick, node-redis pipelines both reads into one round trip.
  const [until, failures] = await Promise.all([deps.cache.get(k.openUntil), deps.cache.get(k.failures)]);
  return { openUntil: until === null ? null : Number(until), failures: Number(failures ?? 0) };
}

/** An engine's breaker state for admins (`GET /admin/engine` shows the default engine's). */
export async function circuitSnapshot(deps: Deps, engineId = DEFAULT_ENGINE_ID): Promise<CircuitSnapshot> {
  const { openUntil, failures } = await read(deps, engineId);
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
export async function admit(deps: Deps, engineId = DEFAULT_ENGINE_ID): Promise<Admission> {
  const { openUntil, failures } = await read(deps, engineId);
  if (openUntil === null) return { allowed: true, probe: false, failures, engineId };
  if (deps.clock.now() < openUntil) return { allowed: false, probe: false, failures, engineId };
  // The lock outlives one engine call, so a probe that never reports back cannot wedge the breaker.
  const won = await deps.cache.setIfAbsent(keys(engineId).probe, "1", deps.config.evolutionTimeoutMs + 5_000);
  return { allowed: won, probe: won, failures, engineId };
}

/** Records an engine answer below 500 (or a per-instance error): resets the count, closes after a probe. */
export async function recordSuccess(deps: Deps, admission: Admission): Promise<void> {
  const k = keys(admission.engineId);
  if (admission.probe) {
    await deps.cache.del(k.openUntil, k.failures, k.probe);
    deps.log.info("circuit breaker closed", { after: "probe succeeded", engine: admission.engineId });
  } else if (admission.failures > 0) {
    await deps.cache.del(k.failures);
  }
}

/** Records a 5xx, timeout or network failure: opens the breaker at the threshold; a failed probe re-opens. */
export async function recordFailure(deps: Deps, admission: Admission): Promise<void> {
  const threshold = deps.config.circuitBreakerThreshold;
  const k = keys(admission.engineId);
  const { count } = await deps.cache.hit(k.failures, FAILURE_WINDOW_MS);
  if (!admission.probe && count < threshold) return;
  const until = deps.clock.now() + deps.config.circuitBreakerOpenMs;
  await deps.cache.set(k.openUntil, String(until), OPEN_KEY_TTL_MS);
  if (admission.probe) await deps.cache.del(k.probe);
  deps.log.warn("circuit breaker open", {
    engine: admission.engineId,
    failures: count,
    open_until: new Date(until).toISOString(),
    reason: admission.probe ? "probe failed" : "threshold reached",
  });
}

/** Gives the probe lock back when the probe request never reached the engine (401, 403, 404...). */
export async function releaseProbe(deps: Deps, admission: Admission): Promise<void> {
  if (admission.probe) await deps.cache.del(keys(admission.engineId).probe);
}

// Evolution answers 500 for sends on a closed or never-connected instance: a tenant's state, not an
// engine outage, so it must not let one tenant open the breaker for everybody.
const INSTANCE_STATE_ERRORS = /Connection Closed|reading 'onWhatsApp'|instance is not connected/i;

/** Whether an engine answer counts as an engine failure for the breaker. */
export function isEngineFailure(status: number, bodyText = ""): boolean {
  if (status < 500) return false;
  return !(status === 500 && INSTANCE_STATE_ERRORS.test(bodyText.slice(0, 2_000)));
}
