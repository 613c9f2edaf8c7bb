// Brings a TAGUATO-SEND database over, table by table (lib/import/mapping.ts), in ONE target transaction:
// an import that fails half-way leaves nothing behind, and a dry run is the same work rolled back.
import type postgres from "postgres";
import type { AppDeps, Sql } from "../core/mod.ts";
import { type ImportContext, type Row, TABLES, type TableSpec, type WriteResult } from "./mapping.ts";

export interface ImportOptions {
  /** The TAGUATO-SEND database (only read, in one read-only snapshot). */
  from: Sql;
  /** This gateway's database (migrated) and config (key material for sealed secrets). */
  deps: Pick<AppDeps, "config" | "sql">;
  /** Names the source in import_map, so a second run against it skips what came over. */
  source: string;
  /** Time zone of the source's zone-less timestamps (TAGUATO-SEND's container runs in UTC). */
  sourceTimezone?: string;
  /** Read, convert and write, then roll everything back: the summary says what a real run would do. */
  dryRun?: boolean;
  /** Called as rows are handled: after the count (done = 0) and after each row. */
  onProgress?(table: string, done: number, total: number): void;
}

export interface TableSummary {
  table: string;
  /** False when the source has no such table (an older TAGUATO-SEND): nothing read. */
  present: boolean;
  read: number;
  created: number;
  skipped: number;
  /** Why rows were skipped, with counts ("imported before", "parent not imported", ...). */
  reasons: Record<string, number>;
}

export interface ImportSummary {
  source: string;
  dryRun: boolean;
  tables: TableSummary[];
}

/** Raised to roll back a dry run's transaction. */
class DryRun extends Error {}

// One import at a time per target database: two would both miss each other's import_map rows.
const LOCK_KEY = 7_316_900_028;
const READ_BATCH = 500;
export const IMPORTED_BEFORE = "imported before";
export const MATCHED = "already here (matched by name)";

type Maps = Map<string, Map<string, number>>;

async function loadMaps(tx: postgres.TransactionSql, source: string): Promise<Maps> {
  const maps: Maps = new Map();
  const rows = await tx<{ source_table: string; old_id: string; new_id: number }[]>`
    SELECT source_table, old_id, new_id FROM taguato.import_map WHERE source = ${source}`;
  for (const r of rows) mapOf(maps, r.source_table).set(r.old_id, r.new_id);
  return maps;
}

function mapOf(maps: Maps, table: string): Map<string, number> {
  let m = maps.get(table);
  if (!m) maps.set(table, m = new Map());
  return m;
}

/** Raised when the target refuses a row the mapping let through: names the row, then rolls all back. */
export class ImportRowError extends Error {}

/**
 * Writes one row. No savepoint per row: every subtransaction keeps a lock until the import commits, and
 * a few thousand of them exhaust PostgreSQL's shared lock table (for every session on the server). So the
 * mapping checks each row against the target's rules first; a row it missed stops the import, which
 * then writes nothing, with a message naming the row.
 */
async function writeRow(spec: TableSpec, row: Row, ctx: ImportContext): Promise<WriteResult> {
  try {
    return await spec.write(row, ctx);
  } catch (err) {
    const e = err as { message?: string; constraint_name?: string };
    const why = e.constraint_name ? `${e.message} (${e.constraint_name})` : String(e.message ?? err);
    throw new ImportRowError(`${spec.table} row ${row.id ?? JSON.stringify(row)}: ${why}`);
  }
}

function count(s: TableSummary, reason: string) {
  s.skipped++;
  s.reasons[reason] = (s.reasons[reason] ?? 0) + 1;
}

async function importRow(
  spec: TableSpec,
  row: Row,
  ctx: ImportContext,
  maps: Maps,
  s: TableSummary,
  source: string,
) {
  const key = String(row.id);
  const mapped = mapOf(maps, spec.table);
  if (!spec.link && mapped.has(key)) return count(s, IMPORTED_BEFORE);
  const result = await writeRow(spec, row, ctx);
  if ("skip" in result) return count(s, result.skip);
  if ("id" in result) {
    mapped.set(key, result.id);
    await ctx.tx`
      INSERT INTO taguato.import_map (source, source_table, old_id, new_id)
      VALUES (${source}, ${spec.table}, ${key}, ${result.id})`;
    if (result.matched) return count(s, MATCHED);
  }
  s.created++;
}

async function importTable(
  src: postgres.TransactionSql,
  spec: TableSpec,
  ctx: ImportContext,
  maps: Maps,
  opts: ImportOptions,
): Promise<TableSummary> {
  const s: TableSummary = { table: spec.table, present: true, read: 0, created: 0, skipped: 0, reasons: {} };
  const [{ present }] = await src<{ present: boolean }[]>`
    SELECT to_regclass(${`taguato.${spec.table}`}) IS NOT NULL AS present`;
  if (!present) return { ...s, present: false };
  const from = `FROM taguato.${spec.table}${spec.where ? ` WHERE ${spec.where}` : ""}`;
  const [{ n }] = await src.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n ${from}`);
  opts.onProgress?.(spec.table, 0, n);
  // Parents come first within a table too (ORDER BY its first column, the id or the first link end).
  for await (const rows of src.unsafe<Row[]>(`SELECT ${spec.select} ${from} ORDER BY 1`).cursor(READ_BATCH)) {
    for (const row of rows) {
      s.read++;
      await importRow(spec, row, ctx, maps, s, opts.source);
      opts.onProgress?.(spec.table, s.read, n);
    }
  }
  return s;
}

/**
 * Imports every table of TABLES from `opts.from` into `opts.deps.sql`. Idempotent per source: rows
 * recorded in import_map (or matched by natural key: usernames, instance names, service names, link rows)
 * are skipped, so a second run creates nothing.
 */
export async function importTaguato(opts: ImportOptions): Promise<ImportSummary> {
  const tables: TableSummary[] = [];
  const work = async (tx: postgres.TransactionSql) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    const maps = await loadMaps(tx, opts.source);
    const ctx: ImportContext = {
      tx,
      deps: opts.deps,
      idOf: (table, oldId) =>
        oldId === null || oldId === undefined ? null : maps.get(table)?.get(String(oldId)) ?? null,
    };
    // One snapshot of the source: rows written to it meanwhile cannot leave children without parents.
    await opts.from.begin("isolation level repeatable read read only", async (src) => {
      await src`SELECT set_config('timezone', ${opts.sourceTimezone ?? "UTC"}, true)`;
      for (const spec of TABLES) tables.push(await importTable(src, spec, ctx, maps, opts));
    });
    if (opts.dryRun) throw new DryRun();
  };
  try {
    await opts.deps.sql.begin(work);
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return { source: opts.source, dryRun: opts.dryRun ?? false, tables };
}
