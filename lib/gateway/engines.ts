/**
 * Many engines (migration 0023): the engines table as SQL, placement of new instances by free capacity,
 * and the directory the engine client routes with. Row 1 is the default engine, served by the configured
 * client (`deps.evolution`: EVOLUTION_API_URL or the sandbox); other rows carry their URL and sealed key.
 *
 * Hot path: the engines list is a process-local snapshot (ENGINES_TTL_MS, dropped at once on the replica
 * that changes it); with one engine nothing is looked up at all. The instance → engine mapping is cached
 * in the shared store, written when an instance is placed and dropped when it is deleted, with a 2 s
 * process-local memo in front (the gate and the client ask for it once each per request).
 */
import type postgres from "postgres";
import { type AppDeps, openSecret, sealSecret, type Sql } from "../core/mod.ts";
import { type CircuitSnapshot, circuitSnapshot } from "./breaker.ts";
import { DEFAULT_ENGINE_ID, type EngineRouter, type EngineTarget } from "./engine_client.ts";

type Q = Sql | postgres.TransactionSql;
type Deps = Pick<AppDeps, "sql" | "cache" | "config">;

const KEY_PURPOSE = "engine-api-key";
/** How long another replica may keep using an engine's old URL or key after an admin changed it. */
export const ENGINES_TTL_MS = 5_000;
const MAPPING_TTL_MS = 10 * 60_000;
// Names that are not (yet) instances are cached briefly: anonymous requests may name anything.
const UNKNOWN_TTL_MS = 30_000;
const mappingKey = (name: string) => `engine-of:${name}`;
// The breaker gate and the engine client both ask for the same instance in one request: a short
// process-local memo answers the second without another round trip to the shared store.
const MEMO_TTL_MS = 2_000;
const MEMO_MAX = 10_000;
const memos = new WeakMap<object, Map<string, { id: number; at: number }>>();

function memoOf(deps: Pick<AppDeps, "cache">) {
  let memo = memos.get(deps.cache);
  if (!memo) memos.set(deps.cache, memo = new Map());
  return memo;
}

function remember(deps: Pick<AppDeps, "cache">, name: string, id: number) {
  const memo = memoOf(deps);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(name, { id, at: performance.now() });
}

/** One engine row as the admin API shows it (the key never leaves the gateway). */
export interface EngineInfo {
  id: number;
  name: string;
  /** null for the default engine: its address comes from the configuration. */
  url: string | null;
  capacity: number | null;
  enabled: boolean;
  /** Instances placed on it (pending reservations included). */
  instances: number;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

interface EngineRow {
  id: number;
  name: string;
  url: string | null;
  api_key_enc: string | null;
  capacity: number | null;
  enabled: boolean;
  instances: number;
  created_at: Date;
  updated_at: Date;
}

const toInfo = (r: EngineRow): EngineInfo => ({
  id: r.id,
  name: r.name,
  url: r.url,
  capacity: r.capacity,
  enabled: r.enabled,
  instances: r.instances,
  is_default: r.id === DEFAULT_ENGINE_ID,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

async function engineRows(sql: Q, id?: number): Promise<EngineRow[]> {
  return await sql<EngineRow[]>`
    SELECT e.id, e.name, e.url, e.api_key_enc, e.capacity, e.enabled, e.created_at, e.updated_at,
      (SELECT count(*)::int FROM taguato.user_instances i WHERE i.engine_id = e.id) AS instances
    FROM taguato.engines e
    WHERE ${id === undefined ? sql`true` : sql`e.id = ${id}`}
    ORDER BY e.id`;
}

/** Every engine with its usage, by id. */
export async function listEngines(sql: Q): Promise<EngineInfo[]> {
  return (await engineRows(sql)).map(toInfo);
}

/** One engine, or null. */
export async function findEngine(sql: Q, id: number): Promise<EngineInfo | null> {
  const [row] = await engineRows(sql, id);
  return row ? toInfo(row) : null;
}

/** An engine with its breaker and a live `GET /` (what admins see in the API and the panel). */
export interface EngineStatus extends EngineInfo {
  circuit: CircuitSnapshot;
  /** The engine answered its root document just now. */
  up: boolean;
  version: string | null;
}

const CHECK_TIMEOUT_MS = 3_000;

/** Every engine with usage, breaker state and a live check (all engines checked at once). */
export async function engineStatuses(deps: AppDeps): Promise<EngineStatus[]> {
  return await Promise.all((await listEngines(deps.sql)).map(async (e) => {
    const [circuit, root] = await Promise.all([
      circuitSnapshot(deps, e.id),
      engineTarget(deps, e.id)
        .then((engine) => deps.evolution.root({ engine, timeoutMs: CHECK_TIMEOUT_MS }))
        .catch(() => null),
    ]);
    return { ...e, circuit, up: root !== null, version: root?.version ?? null };
  }));
}

// ---- the directory (process-local snapshot) ----

interface Directory {
  loadedAt: number;
  /** Every engine but the default, with its key opened. */
  targets: Map<number, EngineTarget & { enabled: boolean; instances: number }>;
  count: number;
}

const directories = new WeakMap<object, Promise<Directory>>();

async function loadDirectory(deps: Deps): Promise<Directory> {
  const rows = await engineRows(deps.sql);
  const targets: Directory["targets"] = new Map();
  for (const r of rows) {
    if (r.id === DEFAULT_ENGINE_ID || r.url === null || r.api_key_enc === null) continue;
    const apiKey = await openSecret(deps, KEY_PURPOSE, r.api_key_enc);
    targets.set(r.id, { id: r.id, baseUrl: r.url, apiKey, enabled: r.enabled, instances: r.instances });
  }
  return { loadedAt: performance.now(), targets, count: rows.length };
}

/** The engines snapshot of this process (per database), reloaded after ENGINES_TTL_MS. */
async function directory(deps: Deps, fresh = false): Promise<Directory> {
  const cached = directories.get(deps.sql);
  if (cached && !fresh) {
    const dir = await cached.catch(() => null);
    if (dir && performance.now() - dir.loadedAt < ENGINES_TTL_MS) return dir;
  }
  const loading = loadDirectory(deps);
  directories.set(deps.sql, loading);
  loading.catch(() => directories.delete(deps.sql));
  return await loading;
}

/** Drops this process's snapshot after a change (other replicas follow within ENGINES_TTL_MS). */
export function forgetEngines(deps: Pick<AppDeps, "sql">): void {
  directories.delete(deps.sql);
}

/** Whether more than the default engine exists (one engine: no routing, nothing looked up). */
export async function severalEngines(deps: Deps): Promise<boolean> {
  return (await directory(deps)).count > 1;
}

/** The engine an instance lives on (the default one for names that are no instance). */
export async function instanceEngineId(deps: Deps, name: string): Promise<number> {
  if (!(await severalEngines(deps))) return DEFAULT_ENGINE_ID;
  const memo = memoOf(deps).get(name);
  if (memo && performance.now() - memo.at < MEMO_TTL_MS) return memo.id;
  const cached = await deps.cache.get(mappingKey(name));
  let id: number;
  if (cached !== null) id = Number(cached);
  else {
    const [row] = await deps.sql<{ engine_id: number }[]>`
      SELECT engine_id FROM taguato.user_instances WHERE instance_name = ${name}`;
    id = row?.engine_id ?? DEFAULT_ENGINE_ID;
    // Readers only fill: a placement (which sets the key) always wins over a lookup racing with it.
    await deps.cache.setIfAbsent(mappingKey(name), String(id), row ? MAPPING_TTL_MS : UNKNOWN_TTL_MS);
  }
  remember(deps, name, id);
  return id;
}

/** Records where an instance was placed (before the engine is asked to create it). */
export async function rememberPlacement(deps: Pick<AppDeps, "cache">, name: string, engineId: number) {
  remember(deps, name, engineId);
  await deps.cache.set(mappingKey(name), String(engineId), MAPPING_TTL_MS);
}

/** Forgets an instance's engine after its row was deleted (a later one of that name may live elsewhere). */
export async function forgetPlacement(deps: Pick<AppDeps, "cache">, name: string) {
  memoOf(deps).delete(name);
  await deps.cache.del(mappingKey(name));
}

/** The client target of an engine: null for the default one (the configured client's own). */
export async function engineTarget(deps: Deps, engineId: number): Promise<EngineTarget | null> {
  if (engineId === DEFAULT_ENGINE_ID) return null;
  const found = (await directory(deps)).targets.get(engineId) ??
    // Created on another replica since the snapshot was taken.
    (await directory(deps, true)).targets.get(engineId);
  if (!found) throw new Error(`engine ${engineId} is not in the engines table`);
  return { id: found.id, baseUrl: found.baseUrl, apiKey: found.apiKey };
}

/**
 * The engines a whole list must ask: every enabled one, and disabled ones that still hold instances
 * (disabling only stops placement). Ids; the default engine first.
 */
export async function listedEngineIds(deps: Deps): Promise<number[]> {
  const dir = await directory(deps);
  const others = [...dir.targets.values()].filter((t) => t.enabled || t.instances > 0).map((t) => t.id);
  return [DEFAULT_ENGINE_ID, ...others];
}

/** The router the engine client uses (installed on `deps.evolution` by createApp). */
export function engineRouter(deps: Deps): EngineRouter {
  return {
    route: async (instance) =>
      instance === null ? null : await engineTarget(deps, await instanceEngineId(deps, instance)),
    all: async () => {
      if (!(await severalEngines(deps))) return [null];
      return await Promise.all((await listedEngineIds(deps)).map((id) => engineTarget(deps, id)));
    },
  };
}

// ---- placement ----

/**
 * The enabled engine with the most free capacity (capacity − instances on it; no capacity = unlimited,
 * and among those the emptiest), ties to the lowest id; null when none has room. `exclude`: engines not
 * to use now (their breaker is open). Call inside the reservation transaction: the lock serialises
 * placements, so concurrent creates cannot overfill an engine.
 */
export async function chooseEngine(tx: Q, exclude: number[] = []): Promise<number | null> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended('engines:placement', 0))`;
  const [row] = await tx<{ id: number }[]>`
    SELECT e.id FROM taguato.engines e
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS used FROM taguato.user_instances i WHERE i.engine_id = e.id) u
    WHERE e.enabled AND (e.capacity IS NULL OR u.used < e.capacity) AND e.id <> ALL(${exclude}::bigint[])
    ORDER BY e.capacity IS NULL DESC, e.capacity - u.used DESC, u.used, e.id
    LIMIT 1`;
  return row?.id ?? null;
}

/** Engines whose breaker is open right now (placement skips them). */
export async function openEngineIds(deps: AppDeps): Promise<number[]> {
  const ids = await listedEngineIds(deps);
  const states = await Promise.all(ids.map((id) => circuitSnapshot(deps, id)));
  return ids.filter((_, i) => states[i].state === "open");
}

// ---- admin changes ----

export interface EngineInput {
  name: string;
  url: string;
  apiKey: string;
  capacity: number | null;
  enabled: boolean;
}

export type EngineChange =
  | { ok: true; engine: EngineInfo }
  | { ok: false; reason: "not_found" | "name_taken" | "default_managed" | "in_use" };

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "23505";

/** Adds an engine (its key sealed); `name_taken` when another has the name (case-insensitively). */
export async function createEngine(deps: Deps, input: EngineInput): Promise<EngineChange> {
  const sealed = await sealSecret(deps, KEY_PURPOSE, input.apiKey);
  try {
    const [{ id }] = await deps.sql<{ id: number }[]>`
      INSERT INTO taguato.engines (name, url, api_key_enc, capacity, enabled)
      VALUES (${input.name}, ${input.url}, ${sealed}, ${input.capacity}, ${input.enabled})
      RETURNING id`;
    forgetEngines(deps);
    return { ok: true, engine: (await findEngine(deps.sql, id))! };
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: "name_taken" };
    throw err;
  }
}

/** Changes some fields; the default engine's URL and key belong to the configuration (`default_managed`). */
export async function updateEngine(
  deps: Deps,
  id: number,
  patch: Partial<EngineInput>,
): Promise<EngineChange> {
  if (id === DEFAULT_ENGINE_ID && (patch.url !== undefined || patch.apiKey !== undefined)) {
    return { ok: false, reason: "default_managed" };
  }
  const sealed = patch.apiKey === undefined ? null : await sealSecret(deps, KEY_PURPOSE, patch.apiKey);
  try {
    const rows = await deps.sql`
      UPDATE taguato.engines SET
        name = COALESCE(${patch.name ?? null}::text, name),
        url = COALESCE(${patch.url ?? null}::text, url),
        api_key_enc = COALESCE(${sealed}::text, api_key_enc),
        capacity = ${patch.capacity === undefined ? deps.sql`capacity` : deps.sql`${patch.capacity}::int`},
        enabled = COALESCE(${patch.enabled ?? null}::boolean, enabled),
        updated_at = now()
      WHERE id = ${id}
      RETURNING id`;
    if (rows.length === 0) return { ok: false, reason: "not_found" };
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: "name_taken" };
    throw err;
  }
  forgetEngines(deps);
  return { ok: true, engine: (await findEngine(deps.sql, id))! };
}

/** Removes an engine that holds no instance; the default engine stays. */
export async function deleteEngine(deps: Deps, id: number): Promise<EngineChange> {
  if (id === DEFAULT_ENGINE_ID) return { ok: false, reason: "default_managed" };
  const engine = await findEngine(deps.sql, id);
  if (!engine) return { ok: false, reason: "not_found" };
  const deleted = await deps.sql`
    DELETE FROM taguato.engines e WHERE e.id = ${id}
      AND NOT EXISTS (SELECT 1 FROM taguato.user_instances i WHERE i.engine_id = e.id)
    RETURNING id`;
  if (deleted.length === 0) return { ok: false, reason: "in_use" };
  forgetEngines(deps);
  return { ok: true, engine };
}
