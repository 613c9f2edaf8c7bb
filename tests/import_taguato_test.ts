// `deno task import:taguato`: a database with TAGUATO-SEND's schema (tests/fixtures, from contract §4) and
// awkward sample rows, made on the shared PostgreSQL under a unique name, is imported into a running test
// gateway; imported users log in with their old passwords, a second run changes nothing, a dry run writes
// nothing.
import { connect, type Sql } from "../lib/core/mod.ts";
import {
  IMPORTED_BEFORE,
  ImportRowError,
  type ImportSummary,
  importTaguato,
  MATCHED,
  type TableSummary,
} from "../lib/import/mod.ts";
import { totpAt } from "../lib/auth/totp.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { call, login } from "./_helpers/auth_client.ts";
import { needs, TEST_PG_URL } from "./_helpers/services.ts";

const onPostgres = needs("postgres");
const FIXTURES = new URL("./fixtures/", import.meta.url);

/** Every target table the import writes, counted (a run that changes nothing leaves these equal). */
const TARGET_TABLES = [
  "users",
  "services",
  "user_instances",
  "instance_permissions",
  "message_templates",
  "contact_lists",
  "contact_list_items",
  "scheduled_messages",
  "message_logs",
  "user_webhooks",
  "incidents",
  "incident_updates",
  "incident_services",
  "scheduled_maintenances",
  "maintenance_services",
  "audit_log",
  "import_map",
];

async function counts(sql: Sql): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TARGET_TABLES) {
    const [{ n }] = await sql.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM taguato.${t}`);
    out[t] = n;
  }
  return out;
}

/** A TAGUATO-SEND database with the sample rows, dropped at the end of the scope. */
async function sourceDatabase() {
  const name = `taguato_send_src_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = connect(TEST_PG_URL, 1);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  const sql = connect(u.href, 2);
  for (const f of ["taguato_send_schema.sql", "taguato_send_sample.sql"]) {
    await sql.unsafe(await Deno.readTextFile(new URL(f, FIXTURES)));
  }
  return {
    sql,
    url: u.href,
    async [Symbol.asyncDispose]() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** On the target before the import: a user who owns 'taken', a name the source gives to maria. */
async function seedTarget(t: TestApp) {
  const [other] = await t.db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash) VALUES ('other', 'x') RETURNING id`;
  await t.db.sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${other.id}, 'taken')`;
}

const run = (t: TestApp, from: Sql, dryRun = false) =>
  importTaguato({ from, deps: t.deps, source: "test-source", dryRun });

const table = (s: ImportSummary, name: string): TableSummary => s.tables.find((x) => x.table === name)!;
const brief = (s: ImportSummary) =>
  Object.fromEntries(s.tables.map((x) => [x.table, [x.read, x.created, x.skipped]]));

onPostgres.test("a dry run reads and reports everything and writes nothing", async () => {
  await using t = await startTestApp();
  await using src = await sourceDatabase();
  await seedTarget(t);
  const before = await counts(t.db.sql);
  const summary = await run(t, src.sql, true);
  assertEquals(summary.dryRun, true);
  assertEquals(table(summary, "users").created, 3);
  assertEquals(table(summary, "message_logs").created, 4);
  assertEquals(await counts(t.db.sql), before);
  // What the dry run announced is what a real run then does.
  const real = await run(t, src.sql);
  assertEquals(brief(real), brief(summary));
});

onPostgres.test("TAGUATO-SEND's data comes over once; users log in with their old passwords", async (ctx) => {
  await using t = await startTestApp();
  await using src = await sourceDatabase();
  await seedTarget(t);
  const first = await run(t, src.sql);
  const sql = t.db.sql;

  await ctx.step("the summary counts rows read, created and skipped per table, with reasons", () => {
    assertEquals(brief(first), {
      users: [5, 3, 2],
      services: [5, 1, 4],
      user_instances: [5, 3, 2],
      instance_permissions: [2, 1, 1],
      message_templates: [2, 1, 1],
      contact_lists: [1, 1, 0],
      contact_list_items: [3, 2, 1],
      scheduled_messages: [5, 2, 3],
      message_logs: [4, 4, 0],
      user_webhooks: [2, 1, 1],
      incidents: [2, 2, 0],
      incident_updates: [3, 2, 1],
      incident_services: [2, 2, 0],
      scheduled_maintenances: [2, 1, 1],
      maintenance_services: [2, 1, 1],
      audit_log: [3, 2, 1],
    });
    assertEquals(table(first, "users").reasons, {
      [MATCHED]: 1,
      "username not 3-50 of [A-Za-z0-9_]": 1,
    });
    assertEquals(table(first, "user_instances").reasons, {
      "no imported owner": 1,
      "name owned by another user": 1,
    });
  });

  await ctx.step("an imported user logs in with the old password; the hash becomes argon2id", async () => {
    const [before] = await sql`SELECT password_hash FROM taguato.users WHERE username = 'maria'`;
    assert(before.password_hash.startsWith("$2a$"), before.password_hash);
    const token = await login(t, "maria", "MariaOld1");
    const [after] = await sql`SELECT password_hash FROM taguato.users WHERE username = 'maria'`;
    assert(after.password_hash.startsWith("$argon2id$"), after.password_hash);
    await login(t, "maria", "MariaOld1");
    const wrong = await call(t, "POST", "/api/auth/login", { body: { username: "maria", password: "nope" } });
    assertEquals(wrong.status, 401);
    const me = await call(t, "GET", "/api/auth/me", { token });
    assertEquals(me.status, 200);
  });

  await ctx.step(
    "a TOTP secret is sealed and still works; the bootstrap admin is left as it was",
    async () => {
      const first2fa = await call(t, "POST", "/api/auth/login", {
        body: { username: "pedro", password: "PedroOld1" },
      });
      assertEquals(first2fa.body, { requires_2fa: true });
      const code = await totpAt("JBSWY3DPEHPK3PXP", Date.now());
      await login(t, "pedro", "PedroOld1", { totp_code: code });
      const [{ totp_secret_enc }] =
        await sql`SELECT totp_secret_enc FROM taguato.users WHERE username = 'pedro'`;
      assert(!String(totp_secret_enc).includes("JBSWY3DPEHPK3PXP"));
      await login(t, t.admin.username, t.admin.password);
    },
  );

  await ctx.step("rows keep their meaning: owners, times, recipients, links", async () => {
    const users = await sql<
      { username: string; max_instances: number; is_active: boolean; phone_number: string }[]
    >`
      SELECT username, max_instances, is_active, phone_number FROM taguato.users
      WHERE username IN ('maria', 'juan') ORDER BY username`;
    assertEquals(users.map((u) => [u.username, u.max_instances, u.is_active, u.phone_number]), [
      ["juan", 2_147_483_647, false, null],
      ["maria", 3, true, "595981123456"],
    ]);
    const instances = await sql`
      SELECT i.instance_name, u.username FROM taguato.user_instances i JOIN taguato.users u ON u.id = i.user_id
      ORDER BY i.instance_name`;
    assertEquals(instances.map((r) => [r.instance_name, r.username]), [
      ["juan_tg", "juan"],
      ["maria-main", "maria"],
      ["pedro-1", "pedro"],
      ["taken", "other"],
    ]);
    // No grant, pending send or webhook reaches the other tenant's 'taken'.
    const grants = await sql`
      SELECT p.instance_name, u.username FROM taguato.instance_permissions p
      JOIN taguato.users u ON u.id = p.grantee_user_id`;
    assertEquals(grants.map((r) => [r.instance_name, r.username]), [["maria-main", "pedro"]]);
    // maria's own and pedro's (granted) come over; juan's through maria's instance does not (§14 #4).
    const [scheduled, granted] = await sql`
      SELECT s.instance_name, s.recipients, s.scheduled_at, u.username FROM taguato.scheduled_messages s
      JOIN taguato.users u ON u.id = s.user_id ORDER BY s.scheduled_at`;
    assertEquals([scheduled.username, granted.username, granted.instance_name], [
      "maria",
      "pedro",
      "maria-main",
    ]);
    assertEquals(table(first, "scheduled_messages").reasons, {
      "instance not imported": 1,
      "recipients not a JSON list of 1-500 numbers of 8-20 digits": 1,
      "instance neither owned nor granted": 1,
    });
    assertEquals(scheduled.instance_name, "maria-main");
    assertEquals(scheduled.recipients, ["595981000001", "595981000002"]);
    assertEquals(scheduled.scheduled_at.toISOString(), "2030-06-01T12:00:00.000Z");
    const [{ n: onTaken }] = await sql`
      SELECT count(*)::int AS n FROM taguato.user_webhooks WHERE instance_name = 'taken'`;
    assertEquals(onTaken, 0);
    const [hook] = await sql`SELECT events, secret_enc FROM taguato.user_webhooks`;
    assertEquals(hook.events, ["MESSAGES_UPSERT"]);
    assert(hook.secret_enc, "imported webhooks get a signing secret");
    const logs = await sql`
      SELECT phone_number, status, source, created_at FROM taguato.message_logs ORDER BY created_at`;
    assertEquals(logs.map((r) => [r.phone_number, r.status, r.source, r.created_at.toISOString()]), [
      ["595981000001", "sent", "scheduled", "2024-01-05T12:00:01.000Z"],
      ["595981000001", "sent", "api", "2024-03-01T10:00:00.000Z"],
      ["595981000002", "failed", "api", "2024-03-01T10:05:00.000Z"],
      ["595981000003", "cancelled", "api", "2024-03-02T11:00:00.000Z"],
    ]);
    const [incident] =
      await sql`SELECT status, resolved_at, updated_at FROM taguato.incidents WHERE title = 'API lenta'`;
    assertEquals(incident.resolved_at.toISOString(), incident.updated_at.toISOString());
    const links = await sql`
      SELECT i.title, s.name FROM taguato.incident_services x JOIN taguato.incidents i ON i.id = x.incident_id
      JOIN taguato.services s ON s.id = x.service_id ORDER BY i.title`;
    assertEquals(links.map((r) => [r.title, r.name]), [["API lenta", "Gateway"], [
      "Caída del motor",
      "SMTP",
    ]]);
    const [maintenance] = await sql`SELECT description FROM taguato.scheduled_maintenances`;
    assertEquals(maintenance.description, "");
    const items = await sql`SELECT phone_number, label FROM taguato.contact_list_items ORDER BY id`;
    assertEquals(items.map((r) => [r.phone_number, r.label]), [["595981000001", "Ana"], [
      "595981000002",
      "",
    ]]);
  });

  await ctx.step("audit entries follow their user and lose plaintext passwords", async () => {
    const [{ id: maria }] = await sql`SELECT id FROM taguato.users WHERE username = 'maria'`;
    const rows = await sql`
      SELECT action, resource_id, details FROM taguato.audit_log
      WHERE action IN ('user_created', 'user_updated') AND username = 'admin' AND ip_address = '10.0.0.1'
      ORDER BY created_at`;
    assertEquals(rows.map((r) => [r.action, r.resource_id, r.details]), [
      ["user_created", String(maria), { username: "maria", role: "user" }],
      ["user_updated", String(maria), { max_instances: 3 }],
    ]);
  });

  await ctx.step("running it again changes nothing", async () => {
    const before = await counts(sql);
    const second = await run(t, src.sql);
    assertEquals(await counts(sql), before);
    for (const s of second.tables) assertEquals(s.created, 0, s.table);
    assertEquals(table(second, "message_logs").reasons, { [IMPORTED_BEFORE]: 4 });
  });
});

onPostgres.test("an older source without a table still imports; a row the target refuses writes nothing", async () => {
  await using t = await startTestApp();
  await using src = await sourceDatabase();
  // Installs from before migration 14 have no instance_permissions.
  await src.sql`DROP TABLE taguato.instance_permissions`;
  const dry = await run(t, src.sql, true);
  assertEquals(table(dry, "instance_permissions").present, false);
  assertEquals(table(dry, "users").created, 3);
  // A value the mapping does not expect (the source's own CHECK gone): the import stops, names the row,
  // and leaves nothing behind.
  await src.sql.unsafe(`ALTER TABLE taguato.message_logs DROP CONSTRAINT message_logs_status_check`);
  const [{ id }] = await src.sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
    VALUES (2, 'maria-main', '595981000009', 'bogus') RETURNING id`;
  const before = await counts(t.db.sql);
  const err = await run(t, src.sql).then(() => null, (e) => e);
  assert(err instanceof ImportRowError, String(err));
  assert(
    err.message.startsWith(`message_logs row ${id}: `) && err.message.includes("message_logs_status_check"),
    err.message,
  );
  assertEquals(await counts(t.db.sql), before);
});

onPostgres.test("the CLI imports into DATABASE_URL, prints the summary, and refuses a bad --from", async () => {
  await using t = await startTestApp();
  await using src = await sourceDatabase();
  const cli = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../tools/import_taguato.ts", import.meta.url).pathname, ...args],
      env: { DATABASE_URL: t.db.url, LOG_LEVEL: "error" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const dry = await cli(["--from", src.url, "--dry-run"]);
  const out = new TextDecoder().decode(dry.stdout);
  assertEquals(dry.code, 0, new TextDecoder().decode(dry.stderr));
  assert(out.startsWith("Dry run: nothing was written."), out);
  assert(/^users\s+5\s+3\s+2$/m.test(out), out);
  // Not a terminal: one progress line per table on stderr.
  assert(/^message_logs\s+\[#+\] 4\/4$/m.test(new TextDecoder().decode(dry.stderr)));
  assertEquals((await counts(t.db.sql)).import_map, 0);

  const real = await cli(["--from", src.url]);
  assertEquals(real.code, 0, new TextDecoder().decode(real.stderr));
  assert(new TextDecoder().decode(real.stdout).startsWith("Imported from 127.0.0.1:5432/taguato_send_src_"));
  await login(t, "maria", "MariaOld1");

  const bad = await cli(["--from", "mysql://nowhere"]);
  assertEquals(bad.code, 2);
  assert(new TextDecoder().decode(bad.stderr).includes("--from needs a postgres:// URL"));
});
