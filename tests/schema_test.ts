// The migrations in migrations/ build the corrected data model of taguato-api.md §4. These tests apply
// them to a fresh database on the local PostgreSQL and to an in-memory PGlite, then check the schema's
// behaviour: tables, timestamptz everywhere, CHECKs, uniqueness and what cascades.
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { pgcrypto } from "@electric-sql/pglite/contrib/pgcrypto";
import assert from "node:assert/strict";
import { needs } from "./_helpers/services.ts";

const PG_URL = Deno.env.get("SCHEMA_TEST_PG_URL") ?? "postgres://postgres@127.0.0.1:5432";
const MIGRATIONS_DIR = new URL("../migrations/", import.meta.url);
// Same pattern as lib/core/migrate.ts: a file it does not match would be skipped silently.
const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

const EXPECTED_TABLES = [
  "api_keys",
  "app_secrets",
  "audit_log",
  "contact_list_items",
  "contact_lists",
  "engine_event_tokens",
  "idempotency_keys",
  "import_map",
  "incident_services",
  "incident_updates",
  "incidents",
  "instance_permissions",
  "login_name_failures",
  "maintenance_services",
  "message_logs",
  "message_templates",
  "opt_outs",
  "password_resets",
  "reconnect_log",
  "scheduled_maintenances",
  "scheduled_messages",
  "services",
  "sessions",
  "status_subscribers",
  "telegram_instances",
  "totp_recovery_codes",
  "uptime_checks",
  "user_instances",
  "user_webhooks",
  "users",
  "webhook_deliveries",
  "webhook_delivery_attempts",
  // --- operations (0015) ---
  "worker_leases",
  "worker_runs",
  // --- history and quotas (0016, 0017) ---
  "user_quotas",
  "message_daily",
  // --- campaigns (0022) ---
  "campaigns",
  "campaign_recipients",
  // --- engines (0023) ---
  "engines",
  // --- campaign governor (0024) ---
  "instance_health",
  // --- per-day count deltas (0026) ---
  "message_daily_deltas",
];

interface MigrationFile {
  version: number;
  file: string;
  text: string;
}

async function readMigrationFiles(): Promise<MigrationFile[]> {
  const files: MigrationFile[] = [];
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    if (!entry.isFile) continue;
    const m = MIGRATION_FILE.exec(entry.name);
    assert.ok(m, `migrations/${entry.name} does not match NNNN_name.sql and would be skipped`);
    files.push({
      version: Number(m[1]),
      file: entry.name,
      text: await Deno.readTextFile(new URL(entry.name, MIGRATIONS_DIR)),
    });
  }
  return files.sort((a, b) => a.version - b.version);
}

const hex64 = (c: string) => c.repeat(64);

/** Resolves to the SQLSTATE the promise was rejected with (fails if it resolved). */
async function sqlState(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  assert.fail("statement succeeded but was expected to fail");
}

/** The statement fails with SQLSTATE `code` (23505 unique, 23503 foreign key, 23514 check). */
async function assertSqlState(code: string, p: Promise<unknown>) {
  assert.equal(await sqlState(p), code);
}

needs("postgres").test("migrations build the corrected taguato schema on PostgreSQL", async (t) => {
  const migrations = await readMigrationFiles();
  assert.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
    "versions are contiguous from 0001",
  );
  for (const m of migrations) {
    // A PL/pgSQL body ($$ … $$) has its own BEGIN … END block, which is not a transaction statement.
    assert.doesNotMatch(
      m.text.replace(/\$\$[\s\S]*?\$\$/g, "$$$$"),
      /^\s*(BEGIN|COMMIT|ROLLBACK)\b/im,
      `${m.file}: the runner owns the transaction`,
    );
    assert.doesNotMatch(m.text, /CONCURRENTLY/i, `${m.file}: not allowed inside a transaction`);
    assert.doesNotMatch(
      m.text,
      /CREATE TABLE[^;]*schema_migrations/i,
      `${m.file}: the runner owns schema_migrations`,
    );
  }

  const dbName = `taguato_schema_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(`${PG_URL}/postgres`, { max: 1, onnotice: () => {} });
  let sql: postgres.Sql | undefined;
  try {
    await admin.unsafe(`CREATE DATABASE ${dbName}`);
    sql = postgres(`${PG_URL}/${dbName}`, { max: 2, onnotice: () => {} });
    const db = sql;

    await t.step("every file applies inside one transaction, as the runner does", async () => {
      for (const m of migrations) await db.begin((tx) => tx.unsafe(m.text));
    });

    await t.step("exactly the expected tables exist in schema taguato", async () => {
      const rows = await db<{ table_name: string }[]>`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'taguato' AND table_type = 'BASE TABLE' ORDER BY table_name`;
      assert.deepEqual(rows.map((r) => r.table_name), [...EXPECTED_TABLES].sort());
    });

    await t.step("every timestamp column is timestamptz", async () => {
      const bad = await db`
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'taguato' AND data_type = 'timestamp without time zone'`;
      assert.deepEqual([...bad], []);
      const [{ n }] = await db`
        SELECT count(*)::int AS n FROM information_schema.columns
        WHERE table_schema = 'taguato' AND data_type = 'timestamp with time zone'`;
      assert.ok(n >= 30, `expected many timestamptz columns, found ${n}`);
    });

    await t.step("ids are bigint GENERATED ALWAYS AS IDENTITY", async () => {
      const ids = await db<{ table_name: string; data_type: string; identity_generation: string | null }[]>`
        SELECT table_name, data_type, identity_generation FROM information_schema.columns
        WHERE table_schema = 'taguato' AND column_name = 'id' ORDER BY table_name`;
      // Every table but those keyed by what they link or name.
      const keyedOtherwise = [
        "engine_event_tokens",
        "import_map",
        "incident_services",
        "maintenance_services",
        "message_daily",
        "message_daily_deltas",
        "opt_outs",
        "user_quotas",
        "worker_leases",
        "telegram_instances",
      ];
      assert.deepEqual(
        ids.map((c) => c.table_name),
        EXPECTED_TABLES.filter((name) => !keyedOtherwise.includes(name)).sort(),
      );
      for (const c of ids) {
        assert.equal(c.data_type, "bigint", c.table_name);
        assert.equal(c.identity_generation, "ALWAYS", c.table_name);
      }
    });

    await t.step("legacy and plaintext-secret columns are gone", async () => {
      const cols = await db<{ column_name: string }[]>`
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'taguato' AND column_name IN ('api_token', 'totp_secret', 'reset_code', 'reset_token')`;
      assert.deepEqual([...cols], []);
      const [{ t: recipientsType }] = await db`
        SELECT data_type AS t FROM information_schema.columns
        WHERE table_schema = 'taguato' AND table_name = 'scheduled_messages' AND column_name = 'recipients'`;
      assert.equal(recipientsType, "jsonb");
    });

    await t.step("the four status-page services are seeded in display order", async () => {
      const rows =
        await db`SELECT name, display_order, is_active FROM taguato.services ORDER BY display_order`;
      assert.deepEqual(rows.map((r) => [r.name, r.display_order, r.is_active]), [
        ["Gateway", 1, true],
        ["Evolution API", 2, true],
        ["PostgreSQL", 3, true],
        ["Redis", 4, true],
      ]);
    });

    // Fixtures shared by the remaining steps.
    const user = async (username: string, extra: Record<string, unknown> = {}) => {
      const row = { username, password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y", ...extra };
      const [{ id }] = await db`INSERT INTO taguato.users ${db(row)} RETURNING id`;
      return String(id);
    };
    const alice = await user("alice", { email: "Alice@Example.com", phone_number: "595981123456" });
    const bob = await user("bob_2");
    const carol = await user("Carol");
    await db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice}, 'alice-wa')`;
    await db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${bob}, 'bob-wa')`;

    await t.step("CHECK constraints reject bad rows with SQLSTATE 23514", async () => {
      const longName = "i".repeat(101);
      const cases: [string, () => Promise<unknown>][] = [
        ["role", () => user("dave", { role: "root" })],
        ["short username", () => user("ab")],
        ["username chars", () => user("bad name!")],
        ["long username", () => user("u".repeat(51))],
        ["negative max_instances", () => user("dave", { max_instances: -1 })],
        ["negative rate_limit", () => user("dave", { rate_limit: -5 })],
        ["phone with letters", () => user("dave", { phone_number: "59598abc123" })],
        ["phone too short", () => user("dave", { phone_number: "1234567" })],
        ["email format", () => user("dave", { email: "not-an-email" })],
        ["totp enabled without secret", () => user("dave", { totp_enabled: true })],
        [
          "instance name start",
          () => db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice}, '-x')`,
        ],
        [
          "instance name length",
          () =>
            db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice}, ${longName})`,
        ],
        [
          "channel type",
          () =>
            db`INSERT INTO taguato.user_instances (user_id, instance_name, channel_type) VALUES (${alice}, 'x1', 'sms')`,
        ],
        [
          "token hash not lowercase hex",
          () => db`INSERT INTO taguato.sessions (user_id, token_hash) VALUES (${alice}, ${hex64("A")})`,
        ],
        [
          // 51 two-byte characters: 51 chars but 102 bytes; the API's limit is in bytes.
          "template name bytes",
          () =>
            db`INSERT INTO taguato.message_templates (user_id, name, content) VALUES (${alice}, ${
              "ñ".repeat(51)
            }, 'hi')`,
        ],
        [
          "empty template content",
          () => db`INSERT INTO taguato.message_templates (user_id, name, content) VALUES (${alice}, 'n', '')`,
        ],
        [
          "contact phone",
          async () => {
            const [l] =
              await db`INSERT INTO taguato.contact_lists (user_id, name) VALUES (${alice}, 'L') RETURNING id`;
            await db`INSERT INTO taguato.contact_list_items (list_id, phone_number) VALUES (${l.id}, '+595 981')`;
          },
        ],
        [
          "message log status",
          () =>
            db`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
               VALUES (${alice}, 'alice-wa', '595981123456', 'bogus')`,
        ],
        [
          "message log type",
          () =>
            db`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type)
               VALUES (${alice}, 'alice-wa', '595981123456', 'media')`,
        ],
        [
          "message log direction",
          () =>
            db`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, direction)
               VALUES (${alice}, 'alice-wa', '595981123456', 'sideways')`,
        ],
        ...([
          ["scheduled status", `["595981123456"]`, "done"],
          ["recipients as a JSON string", JSON.stringify(`["595981123456"]`), "pending"],
          ["empty recipients", `[]`, "pending"],
          ["recipient not digits", `["595981123456", "12ab45678"]`, "pending"],
          ["recipient a number", `[595981123456]`, "pending"],
          ["too many recipients", JSON.stringify(Array(501).fill("595981123456")), "pending"],
        ].map(([name, recipients, status]) =>
          [
            name,
            () =>
              db`INSERT INTO taguato.scheduled_messages
                   (user_id, instance_name, message_content, recipients, scheduled_at, status)
                 VALUES (${alice}, 'alice-wa', 'hi', ${recipients}::jsonb, now(), ${status})`,
          ] as [string, () => Promise<unknown>]
        )),
        [
          "webhook url scheme",
          () =>
            db`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url)
               VALUES (${alice}, 'alice-wa', 'ftp://example.com')`,
        ],
        [
          "webhook event format",
          () =>
            db`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events)
               VALUES (${alice}, 'alice-wa', 'https://example.com/h', ${["messages.upsert"]})`,
        ],
        [
          "password reset method",
          () =>
            db`INSERT INTO taguato.password_resets (user_id, code_hash, method) VALUES (${alice}, 'h', 'sms')`,
        ],
        [
          "audit details not an object",
          () => db`INSERT INTO taguato.audit_log (action, details) VALUES ('user_login', '"x"'::jsonb)`,
        ],
        ["incident severity", () => db`INSERT INTO taguato.incidents (title, severity) VALUES ('t', 'huge')`],
        [
          "incident resolved without resolved_at",
          () => db`INSERT INTO taguato.incidents (title, severity, status) VALUES ('t', 'minor', 'resolved')`,
        ],
        [
          "maintenance ending before it starts",
          () =>
            db`INSERT INTO taguato.scheduled_maintenances (title, scheduled_start, scheduled_end)
               VALUES ('m', now(), now() - interval '1 hour')`,
        ],
        [
          "uptime status",
          () => db`INSERT INTO taguato.uptime_checks (service_name, status) VALUES ('Redis', 'down')`,
        ],
        [
          "reconnect result",
          () => db`INSERT INTO taguato.reconnect_log (instance_name, result) VALUES ('alice-wa', 'success')`,
        ],
      ];
      for (const [name, run] of cases) {
        assert.equal(await sqlState(run()), "23514", name);
      }
    });

    await t.step("valid rows are accepted with their defaults", async () => {
      const [u] =
        await db`SELECT role, max_instances, rate_limit, is_active, must_change_password, totp_enabled
                           FROM taguato.users WHERE id = ${alice}`;
      assert.deepEqual({ ...u }, {
        role: "user",
        max_instances: 1,
        rate_limit: null,
        is_active: true,
        must_change_password: true,
        totp_enabled: false,
      });
      const [s] = await db`
        INSERT INTO taguato.sessions (user_id, token_hash, ip_address, user_agent)
        VALUES (${alice}, ${
        hex64("a")
      }, 'unknown', 'deno') RETURNING extract(epoch FROM expires_at - created_at)::int AS ttl, is_active`;
      assert.equal(s.is_active, true);
      assert.equal(s.ttl, 24 * 3600);
      const [m] = await db`
        INSERT INTO taguato.scheduled_messages (user_id, instance_name, message_content, recipients, scheduled_at)
        VALUES (${alice}, 'alice-wa', 'hola', ${db.json(["595981123456", "595981654321"])},
                '2030-01-01T12:00:00-03:00')
        RETURNING status, message_type, recipients, scheduled_at`;
      assert.equal(m.status, "pending");
      assert.equal(m.message_type, "text");
      assert.deepEqual(m.recipients, ["595981123456", "595981654321"]);
      assert.equal((m.scheduled_at as Date).toISOString(), "2030-01-01T15:00:00.000Z");
      const [l] = await db`
        INSERT INTO taguato.message_logs (user_id, instance_name, phone_number)
        VALUES (${alice}, 'alice-wa', '120363012345678901@g.us') RETURNING status, direction, message_type`;
      assert.deepEqual({ ...l }, { status: "sent", direction: "outbound", message_type: "text" });
      await db`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events)
               VALUES (${alice}, 'alice-wa', 'https://example.com/h', ${[
        "MESSAGES_UPSERT",
        "CONNECTION_UPDATE",
      ]})`;
      await db`INSERT INTO taguato.incidents (title, severity, status, resolved_at)
               VALUES ('done', 'minor', 'resolved', now())`;
      await db`INSERT INTO taguato.message_templates (user_id, name, content)
               VALUES (${alice}, ${"ñ".repeat(50)}, 'Hola {{name}}')`;
    });

    await t.step(
      "uniqueness: e-mail case-insensitively, session hashes, engine ids per instance",
      async () => {
        await assertSqlState("23505", user("alice2", { email: "alice@example.COM" }));
        await assertSqlState("23505", user("alice"));
        await assertSqlState(
          "23505",
          db`INSERT INTO taguato.sessions (user_id, token_hash) VALUES (${bob}, ${hex64("a")})`,
        );
        await assertSqlState(
          "23505",
          db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${bob}, 'alice-wa')`,
        );
        const log = (instance: string, engineId: string) =>
          db`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, engine_message_id, status)
           VALUES (${alice}, ${instance}, '595981123456', ${engineId}, 'sending')`;
        await log("alice-wa", "3EB0ABC");
        await log("bob-wa", "3EB0ABC");
        await assertSqlState("23505", log("alice-wa", "3EB0ABC"));
        await assertSqlState(
          "23505",
          db`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url)
             VALUES (${alice}, 'alice-wa', 'https://example.com/other')`,
        );
      },
    );

    await t.step("a scheduled recipient can be logged only once (at-most-once claim)", async () => {
      const [s] = await db`SELECT id FROM taguato.scheduled_messages WHERE user_id = ${alice} LIMIT 1`;
      const claim = () =>
        db`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, scheduled_message_id)
           VALUES (${alice}, 'alice-wa', '595981123456', 'sending', ${s.id})
           ON CONFLICT (scheduled_message_id, phone_number) WHERE scheduled_message_id IS NOT NULL DO NOTHING
           RETURNING id`;
      assert.equal((await claim()).length, 1);
      assert.equal((await claim()).length, 0);
    });

    await t.step("scheduled messages and webhooks need a registered instance", async () => {
      await assertSqlState(
        "23503",
        db`INSERT INTO taguato.scheduled_messages (user_id, instance_name, message_content, recipients, scheduled_at)
             VALUES (${alice}, 'ghost', 'hi', '["595981123456"]', now())`,
      );
      await assertSqlState(
        "23503",
        db`INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url)
             VALUES (${alice}, 'ghost', 'https://example.com/h')`,
      );
    });

    await t.step("deleting an instance keeps its message history and drops its configuration", async () => {
      await db`INSERT INTO taguato.user_instances (user_id, instance_name, channel_type)
               VALUES (${alice}, 'alice-tg', 'telegram')`;
      await db`INSERT INTO taguato.telegram_instances (instance_name, bot_token_enc) VALUES ('alice-tg', 'enc')`;
      await db`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
               VALUES ('alice-wa', ${bob}, ${carol})`;
      await db`INSERT INTO taguato.reconnect_log (instance_name, result) VALUES ('alice-wa', 'failed')`;

      await db`DELETE FROM taguato.user_instances WHERE instance_name IN ('alice-wa', 'alice-tg')`;

      const count = async (table: string, where: string) => {
        const [{ n }] = await db.unsafe(`SELECT count(*)::int AS n FROM taguato.${table} WHERE ${where}`);
        return n as number;
      };
      assert.equal(await count("telegram_instances", "instance_name = 'alice-tg'"), 0);
      assert.equal(await count("instance_permissions", "instance_name = 'alice-wa'"), 0);
      assert.equal(await count("user_webhooks", "instance_name = 'alice-wa'"), 0);
      assert.equal(await count("scheduled_messages", "instance_name = 'alice-wa'"), 0);
      assert.equal(await count("reconnect_log", "instance_name = 'alice-wa'"), 1);
      assert.equal(await count("message_logs", "instance_name = 'alice-wa'"), 3);
      // The logged scheduled send survives, detached from the deleted schedule.
      assert.equal(
        await count("message_logs", "instance_name = 'alice-wa' AND scheduled_message_id IS NOT NULL"),
        0,
      );
    });

    await t.step("deleting a user cascades their data; audit rows keep the username", async () => {
      await db`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice}, 'alice-2')`;
      await db`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
               VALUES ('bob-wa', ${carol}, ${alice}), ('alice-2', ${bob}, ${carol})`;
      await db`INSERT INTO taguato.password_resets (user_id, code_hash, reset_token_hash)
               VALUES (${alice}, 'hmac', ${hex64("b")})`;
      await db`INSERT INTO taguato.audit_log (user_id, username, action, resource_type, resource_id, details)
               VALUES (${alice}, 'alice', 'user_login', 'session', null, ${db.json({ method: "password" })})`;
      const [inc] = await db`INSERT INTO taguato.incidents (title, severity, created_by)
                             VALUES ('db slow', 'major', ${alice}) RETURNING id`;
      await db`INSERT INTO taguato.incident_updates (incident_id, status, message, created_by)
               VALUES (${inc.id}, 'investigating', 'looking', ${alice})`;

      await db`DELETE FROM taguato.users WHERE id = ${alice}`;

      for (
        const table of [
          "sessions",
          "user_instances",
          "message_templates",
          "opt_outs",
          "contact_lists",
          "message_logs",
          "scheduled_messages",
          "idempotency_keys",
          "user_webhooks",
          "password_resets",
        ]
      ) {
        const [{ n }] = await db.unsafe(
          `SELECT count(*)::int AS n FROM taguato.${table} WHERE user_id = $1`,
          [alice],
        );
        assert.equal(n, 0, table);
      }
      const [{ items }] = await db`SELECT count(*)::int AS items FROM taguato.contact_list_items`;
      assert.equal(items, 0);
      const grants =
        await db`SELECT instance_name, grantee_user_id::text AS g, granted_by FROM taguato.instance_permissions`;
      assert.deepEqual(grants.map((g) => [g.instance_name, g.g, g.granted_by]), [["bob-wa", carol, null]]);
      const audit =
        await db`SELECT user_id, username, details FROM taguato.audit_log WHERE action = 'user_login'`;
      assert.deepEqual(audit.map((a) => ({ ...a })), [{
        user_id: null,
        username: "alice",
        details: { method: "password" },
      }]);
      const [incident] = await db`SELECT created_by FROM taguato.incidents WHERE id = ${inc.id}`;
      assert.equal(incident.created_by, null);
      const [upd] = await db`SELECT created_by FROM taguato.incident_updates WHERE incident_id = ${inc.id}`;
      assert.equal(upd.created_by, null);
    });

    await t.step("deleting an incident removes its timeline and service links", async () => {
      const [inc] =
        await db`INSERT INTO taguato.incidents (title, severity) VALUES ('x', 'critical') RETURNING id`;
      await db`INSERT INTO taguato.incident_updates (incident_id, status, message) VALUES (${inc.id}, 'identified', 'm')`;
      await db`INSERT INTO taguato.incident_services (incident_id, service_id)
               SELECT ${inc.id}, id FROM taguato.services WHERE name IN ('Gateway', 'Redis')`;
      await db`DELETE FROM taguato.incidents WHERE id = ${inc.id}`;
      const [{ u }] =
        await db`SELECT count(*)::int AS u FROM taguato.incident_updates WHERE incident_id = ${inc.id}`;
      const [{ s }] =
        await db`SELECT count(*)::int AS s FROM taguato.incident_services WHERE incident_id = ${inc.id}`;
      assert.deepEqual([u, s], [0, 0]);
    });
  } finally {
    await sql?.end({ timeout: 5 });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
});

Deno.test("migrations apply on embedded PGlite with the same tables", async () => {
  const migrations = await readMigrationFiles();
  const db = await PGlite.create({ extensions: { pgcrypto } });
  try {
    for (const m of migrations) await db.exec(m.text);
    const tables = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables
       WHERE table_schema = 'taguato' AND table_type = 'BASE TABLE'`,
    );
    assert.equal(tables.rows[0].n, EXPECTED_TABLES.length);
    const services = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM taguato.services`);
    assert.equal(services.rows[0].n, 4);
    // The jsonpath CHECK on recipients behaves the same in the WASM build.
    await db.exec(`INSERT INTO taguato.users (username, password_hash) VALUES ('alice', 'h')`);
    await db.exec(
      `INSERT INTO taguato.user_instances (user_id, instance_name) SELECT id, 'wa' FROM taguato.users`,
    );
    const insert = (recipients: string) =>
      db.query(
        `INSERT INTO taguato.scheduled_messages (user_id, instance_name, message_content, recipients, scheduled_at)
         SELECT id, 'wa', 'hi', $1::jsonb, now() FROM taguato.users`,
        [recipients],
      );
    await insert(`["595981123456"]`);
    await assertSqlState("23514", insert(`["59598x"]`));
  } finally {
    await db.close();
  }
});
