import { connect, migrate, type Sql } from "../../lib/core/mod.ts";
import { services, TEST_PG_URL } from "./services.ts";

export { TEST_PG_URL };

export interface TestDatabase {
  sql: Sql;
  url: string;
  name: string;
  /** An embedded PGlite (no PostgreSQL reachable): one connection only, so no second pool on `url`. */
  embedded: boolean;
  drop(): Promise<void>;
  /** `await using db = await createTestDatabase()` drops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates an empty database with a unique name (optionally migrated): on the test server, or, when no
 * PostgreSQL is reachable, a fresh embedded PGlite served on a loopback socket like lib/core/db.ts does.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const db = await openTestDatabase(options);
  return { ...db, [Symbol.asyncDispose]: db.drop };
}

async function openTestDatabase(
  options: { migrate?: boolean },
): Promise<Omit<TestDatabase, typeof Symbol.asyncDispose>> {
  const name = `taguato_test_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  if (!services.postgres) return await createEmbeddedDatabase(name, options.migrate ?? true);
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
    embedded: false,
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

// Creating a PGlite cluster from scratch takes seconds; loading a dumped data directory takes well under
// one. The empty and the migrated cluster are dumped once and kept in the temp dir for the later test
// modules (each runs in its own isolate), keyed by the migrations and the PGlite version.
const templates = new Map<string, Promise<Blob>>();

async function templateKey(): Promise<string> {
  const parts: string[] = [];
  const dir = new URL("../../migrations/", import.meta.url);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  for (const f of files) parts.push(f, await Deno.readTextFile(new URL(f, dir)));
  parts.push(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\0")));
  return [...new Uint8Array(digest)].slice(0, 8).map((b) => b.toString(16).padStart(2, "0")).join("");
}

function template(migrated: boolean): Promise<Blob> {
  const kind = migrated ? "migrated" : "empty";
  let t = templates.get(kind);
  if (!t) {
    t = buildTemplate(migrated);
    templates.set(kind, t);
  }
  return t;
}

async function buildTemplate(migrated: boolean): Promise<Blob> {
  const path = `${Deno.env.get("TMPDIR") ?? "/tmp"}/taguato-test-pglite-${await templateKey()}-${
    migrated ? "migrated" : "empty"
  }.tar`;
  try {
    return new Blob([await Deno.readFile(path)]);
  } catch { /* not built yet */ }
  const { PGlite } = await import("@electric-sql/pglite");
  const { pgcrypto } = await import("@electric-sql/pglite/contrib/pgcrypto");
  let blob: Blob;
  if (!migrated) {
    const db = await PGlite.create({ extensions: { pgcrypto } });
    blob = await db.dumpDataDir("none");
    await db.close();
  } else {
    const db = await serveEmbedded(await template(false));
    await migrate(db.sql);
    blob = await db.dump();
    await db.close();
  }
  const tmp = `${path}.${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, new Uint8Array(await blob.arrayBuffer()));
  await Deno.rename(tmp, path);
  return blob;
}

async function serveEmbedded(from: Blob) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pgcrypto } = await import("@electric-sql/pglite/contrib/pgcrypto");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const pg = await PGlite.create({ loadDataDir: from, extensions: { pgcrypto } });
  const server = new PGLiteSocketServer({ db: pg, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // PGlite is a single backend: one pooled connection, as lib/core/db.ts does in embedded mode.
  const sql = connect(url, 1);
  return {
    sql,
    url,
    async dump() {
      await sql.end({ timeout: 1 });
      return await pg.dumpDataDir("none");
    },
    async close() {
      await sql.end({ timeout: 1 });
      await server.stop();
      await pg.close();
    },
  };
}

// One embedded cluster per test module serves its migrated test databases one after the other: loading a
// cluster costs about a second, while putting the migrated state back (every table emptied, the rows and
// sequence positions the migrations left restored) costs a few milliseconds. A test that wants a second
// database while the shared one is in use, or an unmigrated one, gets a cluster of its own.
interface Shared {
  url: string;
  busy: boolean;
  reset: string;
}
let shared: Promise<Shared> | undefined;

async function openShared(): Promise<Shared> {
  const db = await serveEmbedded(await template(true));
  const tables = (await db.sql<{ t: string }[]>`
    SELECT tablename AS t FROM pg_tables WHERE schemaname = 'taguato' ORDER BY tablename`).map((r) => r.t);
  const script = [`TRUNCATE ${tables.map((t) => `taguato.${t}`).join(", ")} RESTART IDENTITY CASCADE;`];
  for (const t of tables) {
    const [{ rows }] = await db.sql.unsafe<{ rows: string | null }[]>(
      `SELECT json_agg(x)::text AS rows FROM taguato.${t} x`,
    );
    if (rows === null) continue;
    script.push(
      `INSERT INTO taguato.${t} OVERRIDING SYSTEM VALUE
         SELECT * FROM json_populate_recordset(NULL::taguato.${t}, ${quote(rows)});`,
    );
  }
  const seqs = await db.sql<{ name: string; last: number }[]>`
    SELECT sequencename AS name, last_value AS last FROM pg_sequences
    WHERE schemaname = 'taguato' AND last_value IS NOT NULL`;
  for (const q of seqs) script.push(`SELECT setval(${quote(`taguato.${q.name}`)}, ${q.last}, true);`);
  // The pool is closed; the cluster and its socket live as long as the test module's isolate.
  await db.sql.end({ timeout: 1 });
  return { url: db.url, busy: false, reset: script.join("\n") };
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function createEmbeddedDatabase(
  name: string,
  migrated: boolean,
): Promise<Omit<TestDatabase, typeof Symbol.asyncDispose>> {
  if (migrated) {
    shared ??= openShared();
    const s = await shared;
    if (!s.busy) {
      s.busy = true;
      const sql = connect(s.url, 1);
      try {
        // One backend serves every connection: end what an earlier test left open, then its data.
        await sql.unsafe("ROLLBACK");
        await sql.unsafe("DISCARD ALL");
        await sql.unsafe(s.reset);
      } catch (err) {
        await sql.end({ timeout: 1 });
        s.busy = false;
        throw err;
      }
      return {
        sql,
        url: s.url,
        name,
        embedded: true,
        async drop() {
          await sql.end({ timeout: 1 });
          s.busy = false;
        },
      };
    }
  }
  const db = await serveEmbedded(await template(migrated));
  return { sql: db.sql, url: db.url, name, embedded: true, drop: db.close };
}
