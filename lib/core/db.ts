import postgres from "postgres";
import { withTimeout } from "./timeout.ts";

/** The postgres.js client type used everywhere: tagged-template SQL, `sql.begin` for transactions. */
export type Sql = postgres.Sql;

export interface Database {
  sql: Sql;
  mode: "postgres" | "embedded";
  /** Connection URL with the password masked, for logs. */
  displayUrl: string;
  /** Embedded mode only: whole-database snapshots (the backups of a server database use pg_dump). */
  snapshot?: EmbeddedSnapshot;
  close(): Promise<void>;
}

/** Snapshots of the embedded database: its whole data directory as one gzipped tarball (PGlite's dump). */
export interface EmbeddedSnapshot {
  dump(): Promise<Uint8Array>;
  /**
   * Replaces the database with a tarball from dump(). The embedded server stops, the data directory is
   * set aside and rebuilt from the tarball, and the server comes back on the same address, so the
   * connection pool reconnects by itself; a tarball that does not open puts the old directory back.
   */
  restore(tarball: Uint8Array): Promise<void>;
}

/** Raised when the database cannot be reached or opened; the message is one human-readable line. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseUnavailableError";
  }
}

// postgres.js's own connection codes, socket errors, and PostgreSQL's "connection exception" (08),
// "insufficient resources: too many connections" (53300) and "operator intervention" shutdowns (57P0x).
const DOWN_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "53300",
  "57P01",
  "57P02",
  "57P03",
]);
const DOWN_NAMES = new Set([
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "BrokenPipe",
  "TimedOut",
]);

/** A pool, not a transaction's handle: only a pool's statements may be batched with other callers'. */
export const isPool = (sql: Sql | postgres.TransactionSql): sql is Sql =>
  typeof (sql as Partial<Sql>).begin === "function";

/**
 * Runs `write` again (up to 3 times in all) when PostgreSQL rolled it back as a deadlock victim (40P01):
 * for batched writes whose row locks can meet another statement's (nothing of it was committed).
 */
export async function retryDeadlock<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= 3 || (err as { code?: string }).code !== "40P01") throw err;
    }
  }
}

/** Whether an error means PostgreSQL cannot be reached right now (answered 503, not 500). */
export function isDatabaseDown(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = String((err as { code?: unknown }).code ?? "");
  return DOWN_CODES.has(code) || code.startsWith("08") || DOWN_NAMES.has(err.name);
}

// int8 (ids, counts) as JS numbers: ids stay far below 2^53 and the API exposes them as JSON numbers.
const int8AsNumber = {
  to: 20,
  from: [20],
  serialize: (x: number | bigint) => String(x),
  parse: (x: string) => Number(x),
};

/** Creates a postgres.js pool with the gateway's conventions (no notices on stdout, int8 as number). */
export function connect(url: string, max = 10): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
    types: { int8: int8AsNumber },
  }) as unknown as Sql;
}

function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.href;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Opens the database: postgres.js against `url`, or when it is undefined an embedded PostgreSQL (PGlite)
 * persisted in `dataDir` and served on a loopback socket, so the same postgres.js code runs in both modes.
 * Fails with DatabaseUnavailableError when the first `SELECT 1` does not answer.
 */
export async function openDatabase(
  options: { url?: string; dataDir: string; max?: number },
): Promise<Database> {
  if (options.url) {
    const sql = connect(options.url, options.max);
    const displayUrl = maskUrl(options.url);
    await probe(sql, displayUrl);
    return { sql, mode: "postgres", displayUrl, close: () => sql.end({ timeout: 5 }) };
  }
  return await openEmbedded(options.dataDir);
}

async function probe(sql: Sql, displayUrl: string) {
  try {
    await sql`SELECT 1`;
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseUnavailableError(`cannot connect to PostgreSQL at ${displayUrl}: ${reason}`);
  }
}

async function openEmbedded(dataDir: string): Promise<Database> {
  // Loaded lazily: the WASM build is only needed when no DATABASE_URL is configured.
  const { PGlite } = await import("@electric-sql/pglite");
  const { pgcrypto } = await import("@electric-sql/pglite/contrib/pgcrypto");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  await Deno.mkdir(dataDir, { recursive: true });
  const lock = await lockDataDir(dataDir);
  const pgDir = `${dataDir}/pg`;
  const open = (loadDataDir?: Blob) =>
    PGlite.create({ dataDir: pgDir, extensions: { pgcrypto }, loadDataDir });
  let db: Awaited<ReturnType<typeof open>>;
  try {
    db = await open();
  } catch (err) {
    lock.close();
    throw new DatabaseUnavailableError(
      `cannot open the embedded database in ${pgDir}: ${err instanceof Error ? err.message : err}`,
    );
  }
  let server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  const serve = async () => {
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port });
    await server.start();
  };
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // PGlite is a single backend: one pooled connection keeps transactions from interleaving.
  const sql = connect(url, 1);
  const displayUrl = `embedded:${pgDir}`;
  await probe(sql, displayUrl);
  const snapshot: EmbeddedSnapshot = {
    async dump() {
      const file = await db.dumpDataDir("gzip");
      return new Uint8Array(await file.arrayBuffer());
    },
    async restore(tarball) {
      await server.stop();
      await db.close();
      const aside = `${pgDir}.before-restore`;
      await Deno.remove(aside, { recursive: true }).catch(() => {});
      await Deno.rename(pgDir, aside);
      try {
        db = await open(new Blob([tarball as Uint8Array<ArrayBuffer>]));
      } catch (err) {
        await Deno.remove(pgDir, { recursive: true }).catch(() => {});
        await Deno.rename(aside, pgDir);
        db = await open();
        await serve();
        throw err;
      }
      await serve();
      await Deno.remove(aside, { recursive: true });
    },
  };
  return {
    sql,
    mode: "embedded",
    displayUrl,
    snapshot,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await db.close();
      lock.close();
    },
  };
}

// PGlite has no cross-process locking of its files; two processes on one data directory would corrupt it.
async function lockDataDir(dataDir: string): Promise<Deno.FsFile> {
  const file = await Deno.open(`${dataDir}/.lock`, { create: true, write: true });
  try {
    // lock() waits for the holder; give up quickly instead of hanging a second `deno task start`.
    await withTimeout(file.lock(true), 2_000, "data directory lock");
  } catch {
    file.close();
    throw new DatabaseUnavailableError(
      `the embedded database in ${dataDir} is in use by another process (set DATABASE_URL to share one database)`,
    );
  }
  return file;
}
