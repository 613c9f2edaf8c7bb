/**
 * The worker registry: the only cron-aware code. Each WorkerSpec is registered with `Deno.cron`; a tick
 * first claims the worker's lease in PostgreSQL (lib/ops/runs.ts) so it runs once across every replica,
 * then runs the plain function and records the run. Tests call `tickWorker` / `runWorkerNow` directly.
 */
import { Cron } from "croner";
import type { AppDeps } from "../lib/core/mod.ts";
import { claimLease, recordRun, releaseLease, type WorkerRun } from "../lib/ops/mod.ts";
import { countWorkerRun } from "../lib/ops/mod.ts";
import type { WorkerSpec } from "./spec.ts";

/** A run longer than this frees its lease anyway (a replica that died mid-run must not block forever). */
const LEASE_MS = 30 * 60_000;

/** Who runs ticks in this process: host and pid, shown on each run. */
export const HOLDER = `${Deno.hostname()}:${Deno.pid}`;

/** The next time a five-field UTC cron expression fires after `from` (null if never). */
export function nextRunAt(schedule: string, from: Date): Date | null {
  return new Cron(schedule, { timezone: "UTC", paused: true }).nextRun(from);
}

/** True when `schedule` is a cron expression the registry can run. */
export function isValidSchedule(schedule: string): boolean {
  try {
    return nextRunAt(schedule, new Date()) !== null;
  } catch {
    return false;
  }
}

/** Runs the spec's function once and records the outcome (never throws: a failure is a failed run). */
async function execute(deps: AppDeps, spec: WorkerSpec, slot: Date | null): Promise<WorkerRun> {
  const started = new Date();
  const t0 = performance.now();
  let result: Record<string, unknown> | null = null;
  let error: string | null = null;
  try {
    result = await spec.run(deps);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    deps.log.error("worker run failed", { worker: spec.name, error });
  }
  const run: Omit<WorkerRun, "id"> = {
    name: spec.name,
    slot,
    started_at: started,
    duration_ms: Math.round(performance.now() - t0),
    ok: error === null,
    result,
    error,
    holder: HOLDER,
    manual: slot === null,
  };
  countWorkerRun(deps, spec.name, run.ok, run.duration_ms);
  await recordRun(deps.sql, run);
  return { id: 0, ...run };
}

/**
 * One scheduled tick of `spec` for the fire time `slot`: runs it if this replica wins the lease for that
 * slot, else returns null (another replica ran it, or a previous run is still going).
 */
export async function tickWorker(deps: AppDeps, spec: WorkerSpec, slot: Date): Promise<WorkerRun | null> {
  const won = await claimLease(deps.sql, { name: spec.name, slot, holder: HOLDER, leaseMs: LEASE_MS });
  if (!won) return null;
  try {
    return await execute(deps, spec, slot);
  } finally {
    await releaseLease(deps.sql, spec.name, HOLDER);
  }
}

/** "Run now" (admin): runs unless a run of the same worker is in progress somewhere (then null). */
export async function runWorkerNow(deps: AppDeps, spec: WorkerSpec): Promise<WorkerRun | null> {
  const won = await claimLease(deps.sql, { name: spec.name, slot: null, holder: HOLDER, leaseMs: LEASE_MS });
  if (!won) return null;
  try {
    return await execute(deps, spec, null);
  } finally {
    await releaseLease(deps.sql, spec.name, HOLDER);
  }
}

export interface RegistryOptions {
  /**
   * Test-only: tick every `tickMs` milliseconds on wall-clock multiples (so every process shares the same
   * slots) instead of each spec's cron schedule, which Deno.cron cannot run faster than once a minute.
   */
  tickMs?: number;
}

export interface WorkerRegistry {
  stop(): void;
}

/** Registers every spec with Deno.cron (or the test ticker) in this process; main.ts calls it once. */
export function startWorkerRegistry(
  deps: AppDeps,
  specs: readonly WorkerSpec[],
  options: RegistryOptions = {},
): WorkerRegistry {
  const tick = (spec: WorkerSpec, slotMs: number) =>
    tickWorker(deps, spec, new Date(slotMs)).catch((err) =>
      deps.log.error("worker tick failed", { worker: spec.name, error: String(err?.message ?? err) })
    );
  if (options.tickMs) {
    const ms = options.tickMs;
    let timer: ReturnType<typeof setTimeout>;
    // Fires at each slot boundary, as cron does, so every process competes for the same slot at once.
    const arm = () => {
      timer = setTimeout(() => {
        const slot = Math.floor(Date.now() / ms) * ms;
        for (const spec of specs) tick(spec, slot);
        arm();
      }, ms - (Date.now() % ms) + 5);
    };
    arm();
    return { stop: () => clearTimeout(timer) };
  }
  const controller = new AbortController();
  for (const spec of specs) {
    // Deno.cron fires at the start of the minute; the floored minute names the slot on every replica.
    Deno.cron(`taguato-${spec.name}`, spec.schedule, { signal: controller.signal }, () => {
      tick(spec, Math.floor(Date.now() / 60_000) * 60_000);
    });
  }
  return { stop: () => controller.abort() };
}
