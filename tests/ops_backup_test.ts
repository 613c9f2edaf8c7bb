// /admin/backup against a fresh PostgreSQL test database: create (pg_dump), list, download, delete, and a
// restore round trip that brings back deleted data; the backup worker keeps the newest BACKUP_KEEP.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { type AppDeps, migrate, openDatabase } from "../lib/core/mod.ts";
import { createBackup, findBackup, listBackups, restoreBackup } from "../lib/ops/mod.ts";
import { backupSchedule, backupWorker } from "../workers/backup.ts";
import { adminLogin, assertError, call, createUser } from "./_helpers/accounts.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { needs } from "./_helpers/services.ts";

const onPostgres = needs("postgres");

/** Points the app's backups at the test database and a temp directory. */
async function serverMode(t: TestApp): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "taguato-backups-" });
  Object.assign(t.deps.config, { databaseUrl: t.db.url, backupDir: dir, backupKeep: 2 });
  return dir;
}

onPostgres.test("/admin/backup: create, list, download, restore brings deleted data back, delete", async (s) => {
  await using t = await startTestApp();
  const dir = await serverMode(t);
  const admin = await adminLogin(t);
  const keep = await createUser(t, admin, { username: "keepme" });
  let filename = "";

  try {
    await s.step("POST creates a verified dump: 201, audited", async () => {
      const res = await call(t, "POST", "/admin/backup", { token: admin });
      assertEquals(res.status, 201);
      assertEquals(res.body.message, "Backup created");
      filename = res.body.filename;
      assert(/^taguato_manual_\d{8}_\d{6}\.dump$/.test(filename), filename);
      assert(res.body.size > 1000);
      const [a] = await t.db.sql`SELECT resource_id FROM taguato.audit_log WHERE action = 'backup_created'`;
      assertEquals(a.resource_id, filename);
    });

    await s.step("GET lists it; GET /{name} downloads the same bytes", async () => {
      const list = await call(t, "GET", "/admin/backup", { token: admin });
      assertEquals(list.body.backups.map((b: { filename: string }) => b.filename), [filename]);
      const res = await fetch(`${t.url}/admin/backup/${filename}`, { headers: { apikey: admin } });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-disposition"), `attachment; filename="${filename}"`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      assertEquals(bytes, await Deno.readFile(`${dir}/${filename}`));
      assertEquals(new TextDecoder().decode(bytes.slice(0, 5)), "PGDMP");
    });

    await s.step(
      "restore needs the typed confirmation and a known name; nothing changes otherwise",
      async () => {
        const bad = await call(t, "POST", `/admin/backup/${filename}/restore`, {
          token: admin,
          body: { confirm: "yes" },
        });
        assertError(bad, 400, "Type RESTORE or the backup's file name in confirm to restore");
        assertEquals(
          (await call(t, "POST", `/admin/backup/${filename}/restore`, { token: admin, body: {} })).status,
          400,
        );
        const missing = await call(t, "POST", "/admin/backup/taguato_manual_20200101_000000.dump/restore", {
          token: admin,
          body: { confirm: "RESTORE" },
        });
        assertError(missing, 404, "Backup not found");
        assertError(
          await call(t, "GET", "/admin/backup/..%2F..%2Fetc%2Fpasswd", { token: admin }),
          404,
          "Backup not found",
        );
        assertEquals((await listBackups(t.deps)).length, 1);
      },
    );

    await s.step("restore round trip: a user deleted after the backup is back", async () => {
      await t.db.sql`DELETE FROM taguato.users WHERE id = ${keep.id}`;
      const res = await call(t, "POST", `/admin/backup/${filename}/restore`, {
        token: admin,
        body: { confirm: filename },
      });
      assertEquals(res.status, 200, JSON.stringify(res.body));
      assert(res.body.safety_backup.startsWith("taguato_pre_restore_"));
      const [u] = await t.db.sql`SELECT username FROM taguato.users WHERE id = ${keep.id}`;
      assertEquals(u?.username, "keepme");
    });

    await s.step("DELETE removes it; a second DELETE is 404; tenants are refused", async () => {
      assertEquals((await call(t, "DELETE", `/admin/backup/${filename}`, { token: admin })).status, 200);
      assertError(
        await call(t, "DELETE", `/admin/backup/${filename}`, { token: admin }),
        404,
        "Backup not found",
      );
      assertEquals((await call(t, "GET", "/admin/backup", { token: keep.token })).status, 403);
      assertEquals((await call(t, "POST", "/admin/backup", { token: keep.token })).status, 403);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

onPostgres.test("backup worker: automatic dumps, the newest BACKUP_KEEP kept, manual ones untouched", async () => {
  await using t = await startTestApp();
  const dir = await serverMode(t);
  try {
    const worker = backupWorker(86_400);
    await Deno.writeTextFile(`${dir}/taguato_manual_20200101_000000.dump`, "x");
    await Deno.writeTextFile(`${dir}/taguato_auto_20200101_000000.dump`, "x");
    await Deno.writeTextFile(`${dir}/taguato_auto_20200102_000000.dump`, "x");
    const r = await worker.run(t.deps);
    assertEquals(r.pruned, ["taguato_auto_20200101_000000.dump"]);
    const names = (await listBackups(t.deps)).map((b) => b.filename);
    assertEquals(names.length, 3);
    assert(names.includes("taguato_manual_20200101_000000.dump"));
    assert(names.includes(r.filename as string));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backup schedule follows BACKUP_INTERVAL; a database with no way to back up answers 409", async () => {
  assertEquals(backupSchedule(86_400), "30 2 * * *");
  assertEquals(backupSchedule(3_600), "0 */1 * * *");
  assertEquals(backupSchedule(21_600), "0 */6 * * *");
  assertEquals(backupSchedule(300), "*/5 * * * *");
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  Object.assign(t.deps.config, { databaseUrl: undefined });
  assertError(
    await call(t, "POST", "/admin/backup", { token: admin }),
    409,
    "Backups are not available for this database (no DATABASE_URL and no embedded snapshot)",
  );
});

Deno.test("embedded mode: a backup is PGlite's snapshot, and a restore brings deleted data back", async (s) => {
  await using t = await startTestApp();
  const dataDir = await Deno.makeTempDir({ prefix: "taguato-embedded-" });
  const backupDir = await Deno.makeTempDir({ prefix: "taguato-backups-" });
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db.sql);
    const deps: AppDeps = {
      ...t.deps,
      sql: db.sql,
      dbMode: "embedded",
      dbSnapshot: db.snapshot,
      config: { ...t.deps.config, backupDir },
    };
    const users = async () =>
      (await db.sql`SELECT username FROM taguato.users WHERE username = 'keepme'`).map((r) => r.username);
    await db.sql`INSERT INTO taguato.users (username, password_hash) VALUES ('keepme', 'x')`;
    let filename = "";

    await s.step("create writes a .tgz snapshot of the data directory", async () => {
      const b = await createBackup(deps, "manual");
      filename = b.filename;
      assert(/^taguato_manual_\d{8}_\d{6}\.tgz$/.test(filename), filename);
      assert(b.size > 1000);
      // A server dump in the same folder is the other mode's: neither listed nor found here.
      await Deno.writeTextFile(`${backupDir}/taguato_manual_20200101_000000.dump`, "x");
      assertEquals((await listBackups(deps)).map((f) => f.filename), [filename]);
      assertEquals(await findBackup(deps, "taguato_manual_20200101_000000.dump"), null);
    });

    await s.step("restore after a delete brings the row back; the pool reconnects by itself", async () => {
      await db.sql`DELETE FROM taguato.users WHERE username = 'keepme'`;
      assertEquals(await users(), []);
      const { safety } = await restoreBackup(deps, filename);
      assertEquals(safety.kind, "pre_restore");
      assert(safety.filename.endsWith(".tgz"));
      assertEquals(await users(), ["keepme"]);
    });

    await s.step("restoring the safety snapshot undoes the restore", async () => {
      const safety = (await listBackups(deps)).find((b) => b.kind === "pre_restore")!;
      await restoreBackup(deps, safety.filename);
      assertEquals(await users(), []);
    });

    await s.step("a file that is not a snapshot is refused and the database keeps working", async () => {
      await Deno.writeTextFile(`${backupDir}/taguato_manual_20200102_000000.tgz`, "not a tarball");
      let refused = false;
      await restoreBackup(deps, "taguato_manual_20200102_000000.tgz").catch(() => refused = true);
      assert(refused, "a broken snapshot is not restored");
      await db.sql`INSERT INTO taguato.users (username, password_hash) VALUES ('keepme', 'x')`;
      assertEquals(await users(), ["keepme"]);
    });
  } finally {
    await db.close();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(backupDir, { recursive: true });
  }
});
