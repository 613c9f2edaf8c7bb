import { assertEquals, assertRejects } from "./testing.ts";
import { connect } from "./db.ts";
import { migrate, readMigrations } from "./migrate.ts";
import { createTestDatabase } from "../../tests/_helpers/db.ts";
import { needs } from "../../tests/_helpers/services.ts";

async function tempMigrations(files: Record<string, string>): Promise<URL> {
  const dir = await Deno.makeTempDir();
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${name}`, text);
  return new URL(`file://${dir}/`);
}

Deno.test("readMigrations orders files by version and ignores other files", async () => {
  const dir = await tempMigrations({
    "0002_b.sql": "SELECT 2",
    "0001_a.sql": "SELECT 1",
    "README.md": "not a migration",
    "0003_Bad-Name.sql": "SELECT 3",
  });
  const found = await readMigrations(dir);
  assertEquals(found.map((m) => [m.version, m.name]), [[1, "a"], [2, "b"]]);
});

Deno.test("readMigrations refuses two files with one version", async () => {
  const dir = await tempMigrations({ "0001_a.sql": "SELECT 1", "0001_b.sql": "SELECT 1" });
  await assertRejects(() => readMigrations(dir), Error);
});

Deno.test("migrate applies pending files once, in order, and records them", async () => {
  await using db = await createTestDatabase({ migrate: false });
  const dir = await tempMigrations({
    "0001_t.sql": "CREATE TABLE taguato.t (a int); INSERT INTO taguato.t VALUES (1);",
    "0002_u.sql": "INSERT INTO taguato.t VALUES (2);",
  });
  assertEquals(await migrate(db.sql, dir), [1, 2]);
  assertEquals(await migrate(db.sql, dir), []);
  const rows = await db.sql`SELECT a FROM taguato.t ORDER BY a`;
  assertEquals(rows.map((r) => r.a), [1, 2]);
  const recorded = await db.sql`SELECT version, name FROM taguato.schema_migrations ORDER BY version`;
  assertEquals(recorded.map((r) => [r.version, r.name]), [[1, "t"], [2, "u"]]);
});

Deno.test("a failing migration is rolled back whole and stops the run", async () => {
  await using db = await createTestDatabase({ migrate: false });
  const dir = await tempMigrations({
    "0001_ok.sql": "CREATE TABLE taguato.ok (a int);",
    "0002_bad.sql": "CREATE TABLE taguato.half (a int); SELECT no_such_function();",
    "0003_after.sql": "CREATE TABLE taguato.after (a int);",
  });
  await assertRejects(() => migrate(db.sql, dir), Error);
  const tables = await db.sql`
    SELECT table_name FROM information_schema.tables WHERE table_schema = 'taguato' ORDER BY table_name`;
  assertEquals(tables.map((t) => t.table_name), ["ok", "schema_migrations"]);
});

const onPostgres = needs("postgres");
onPostgres.test("five pools migrating one empty database at once apply every file exactly once", async () => {
  const db = await createTestDatabase({ migrate: false });
  const pools = Array.from({ length: 5 }, () => connect(db.url, 2));
  try {
    const results = await Promise.all(pools.map((sql) => migrate(sql)));
    const all = results.flat().sort((a, b) => a - b);
    const expected = (await readMigrations(new URL("../../migrations/", import.meta.url))).map((m) =>
      m.version
    );
    assertEquals(all, expected);
    const [{ count }] = await db.sql`SELECT count(*) FROM taguato.schema_migrations`;
    assertEquals(count, expected.length);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  }
});
