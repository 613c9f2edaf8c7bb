/**
 * The worker registry's storage: the per-worker lease that makes a tick run once across replicas, and
 * the run history (`worker_runs`, newest N kept per worker). SQL only; the scheduling is workers/registry.ts.
 */
import type { Sql } from "../core/mod.ts";

/** How many runs per worker are kept (the newest). */
export const KEEP_RUNS = 50;

export interface WorkerRun {
  id: number;
  name: string;
  slot: Date | null;
  started_at: Date;
  duration_ms: number;
  ok: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
  holder: string | null;
  manual: boolean;
}

const RUN_COLUMNS = [
  "id",
  "name",
  "slot",
  "started_at",
  "duration_ms",
  "ok",
  "result",
  "error",
  "holder",
  "manual",
];

/**
 * Claims the lease for one tick: false when another replica holds the row right now (SKIP LOCKED), already
 * ran this slot, or is still inside a run (`running_until` in the future). `slot` null = a manual run,
 * which only checks that nothing is running. The lease lasts `leaseMs` unless released earlier.
 */
export async function claimLease(
  sql: Sql,
  o: { name: string; slot: Date | null; holder: string; leaseMs: number },
): Promise<boolean> {
  return await sql.begin(async (tx) => {
    await tx`INSERT INTO taguato.worker_leases (name) VALUES (${o.name}) ON CONFLICT (name) DO NOTHING`;
    const [lease] = await tx<{ last_slot: Date | null; running: boolean }[]>`
      SELECT last_slot, coalesce(running_until > now(), false) AS running
      FROM taguato.worker_leases WHERE name = ${o.name} FOR UPDATE SKIP LOCKED`;
    if (!lease || lease.running) return false;
    if (o.slot && lease.last_slot && lease.last_slot.getTime() >= o.slot.getTime()) return false;
    await tx`
      UPDATE taguato.worker_leases
      SET running_until = now() + make_interval(secs => ${o.leaseMs / 1000}), holder = ${o.holder},
          last_slot = CASE WHEN ${o.slot !== null} THEN ${o.slot} ELSE last_slot END
      WHERE name = ${o.name}`;
    return true;
  }) as boolean;
}

/** Ends a run's lease so the next tick (or a manual run) may start. */
export async function releaseLease(sql: Sql, name: string, holder: string): Promise<void> {
  await sql`
    UPDATE taguato.worker_leases SET running_until = NULL WHERE name = ${name} AND holder = ${holder}`;
}

/** Records one finished run and prunes the worker's history to the newest `keep`. */
export async function recordRun(
  sql: Sql,
  run: Omit<WorkerRun, "id">,
  keep = KEEP_RUNS,
): Promise<void> {
  await sql`
    INSERT INTO taguato.worker_runs (name, slot, started_at, duration_ms, ok, result, error, holder, manual)
    VALUES (${run.name}, ${run.slot}, ${run.started_at}, ${run.duration_ms}, ${run.ok},
      ${
    run.result === null ? null : sql.json(run.result as never)
  }, ${run.error}, ${run.holder}, ${run.manual})`;
  await sql`
    DELETE FROM taguato.worker_runs WHERE name = ${run.name} AND id NOT IN (
      SELECT id FROM taguato.worker_runs WHERE name = ${run.name} ORDER BY started_at DESC, id DESC
      LIMIT ${keep})`;
}

/** The newest run of each named worker (workers that never ran are absent). */
export async function lastRuns(sql: Sql): Promise<Map<string, WorkerRun>> {
  const rows = await sql<WorkerRun[]>`
    SELECT DISTINCT ON (name) ${sql(RUN_COLUMNS)} FROM taguato.worker_runs
    ORDER BY name, started_at DESC, id DESC`;
  return new Map(rows.map((r) => [r.name, r]));
}

/** One worker's recent runs, newest first. */
export async function recentRuns(sql: Sql, name: string, limit = 20): Promise<WorkerRun[]> {
  return await sql<WorkerRun[]>`
    SELECT ${sql(RUN_COLUMNS)} FROM taguato.worker_runs WHERE name = ${name}
    ORDER BY started_at DESC, id DESC LIMIT ${limit}`;
}
