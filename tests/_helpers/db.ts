import { connect, migrate, type Sql } from "../../lib/core/mod.ts";

/** Server used by the tests; override with TEST_DATABASE_URL (must allow CREATE DATABASE). */
export const TEST_PG_URL = Deno.env.get("TEST_DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  sql: Sql;
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name (optionally migrated) on the test server. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `taguato_test_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = connect(TEST_PG_URL, 1);
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  const url = u.href;
  const sql = connect(url, 5);
  if (options.migrate ?? true) await migrate(sql);
  return {
    sql,
    url,
    name,
    async drop() {
      await sql.end({ timeout: 1 });
      const a = connect(TEST_PG_URL, 1);
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
