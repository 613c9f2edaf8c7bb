import type { Sql } from "./db.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any constant shared by every replica; the transaction-scoped lock serialises concurrent starts.
const LOCK_KEY = 7_316_900_001;

/** Reads `NNNN_name.sql` files from a folder, ordered by version; rejects duplicate versions. */
export async function readMigrations(dir: URL): Promise<Migration[]> {
  const found: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = entry.isFile ? FILE.exec(entry.name) : null;
    if (!m) continue;
    found.push({ version: Number(m[1]), name: m[2], sql: await Deno.readTextFile(new URL(entry.name, dir)) });
  }
  found.sort((a, b) => a.version - b.version);
  for (let i = 1; i < found.length; i++) {
    if (found[i].version === found[i - 1].version) {
      throw new Error(`two migrations share version ${found[i].version}`);
    }
  }
  return found;
}

/**
 * Applies every migration not yet recorded in `taguato.schema_migrations`, in order, each in its own
 * transaction under an advisory lock, so processes starting together apply each file exactly once.
 * Returns the versions this call applied.
 */
export async function migrate(
  sql: Sql,
  dir = new URL("../../migrations/", import.meta.url),
): Promise<number[]> {
  const migrations = await readMigrations(dir);
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx`CREATE SCHEMA IF NOT EXISTS taguato`;
    await tx`
      CREATE TABLE IF NOT EXISTS taguato.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`;
  });
  const applied: number[] = [];
  for (const m of migrations) {
    const done = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
      const [row] = await tx`SELECT 1 FROM taguato.schema_migrations WHERE version = ${m.version}`;
      if (row) return false;
      await tx.unsafe(m.sql);
      await tx`INSERT INTO taguato.schema_migrations (version, name) VALUES (${m.version}, ${m.name})`;
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
