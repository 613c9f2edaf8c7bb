/**
 * History at scale, against the real gateway as its own process (so its memory is its own), started as
 * in production: the V8 flags of `deno task start`, real PostgreSQL and Redis, the engine (the sandbox) as
 * another process. One user with 1,000,000 ledger rows over 90 days, then
 *  - GET /api/messages/export of all of them: rows/s, and the server's RSS when it starts and its peak
 *    (VmHWM, reset just before) during it;
 *  - GET /api/user/dashboard, 200 sequential calls: p50 / p99.
 * Needs PostgreSQL (TEST_DATABASE_URL). The figures are printed; `deno bench` calls a bench more than once
 * whatever `n` says, so only the first call measures (seeding a million rows is not repeated).
 */
import { hashPassword } from "../lib/auth/mod.ts";
import { createTestDatabase, type TestDatabase } from "../tests/_helpers/db.ts";
import { freePort, services, startTaskFlags, TEST_REDIS_URL } from "../tests/_helpers/services.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const ROWS = Number(Deno.env.get("HISTORY_BENCH_ROWS") ?? 1_000_000);
const DASHBOARD_CALLS = Number(Deno.env.get("HISTORY_BENCH_CALLS") ?? 200);

interface Server {
  url: string;
  token: string;
  child: Deno.ChildProcess;
  engine: Deno.ChildProcess;
  db: TestDatabase;
}

const baseEnv = () => ({ PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/root" });

async function until(url: string) {
  for (;;) {
    const ok = await fetch(url).then(async (r) => (await r.body?.cancel(), r.status < 500), () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Peak and current resident set of a process, in MB (Linux /proc). */
async function rssMb(pid: number) {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: Math.round(kb("VmHWM") / 1024), now: Math.round(kb("VmRSS") / 1024) };
}

async function seed(db: TestDatabase): Promise<string> {
  const password = "Bench-pass-123";
  const [{ id }] = await db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, must_change_password)
    VALUES ('bench', ${await hashPassword(password)}, false) RETURNING id`;
  const started = performance.now();
  // One statement: generate_series spreads the rows over 90 days with a realistic status mix.
  await db.sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type, status, body_text,
      error_message, created_at)
    SELECT ${id}, 'bench-' || (g % 3), '5959810' || lpad((g % 100000)::text, 5, '0'), 'text',
      (ARRAY['read', 'delivered', 'sent', 'failed', 'read'])[1 + g % 5], 'Hola, pedido ' || g,
      CASE WHEN g % 5 = 3 THEN 'Engine answered HTTP 400' END,
      now() - (g % (90 * 24 * 60)) * interval '1 minute'
    FROM generate_series(1, ${ROWS}) AS g`;
  await db.sql`VACUUM ANALYZE taguato.message_logs`;
  console.log(`seeded ${ROWS} rows in ${Math.round(performance.now() - started)} ms`);
  return password;
}

async function start(): Promise<Server> {
  const db = await createTestDatabase();
  const password = await seed(db);
  const enginePort = freePort();
  const engineKey = crypto.randomUUID();
  const engine = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/sandbox/main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: { ...baseEnv(), SANDBOX_PORT: String(enginePort), AUTHENTICATION_API_KEY: engineKey },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await until(`http://127.0.0.1:${enginePort}/`);
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...await startTaskFlags(), "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      ...baseEnv(),
      DATABASE_URL: db.url,
      ...(services.redis ? { REDIS_URL: TEST_REDIS_URL } : {}),
      EVOLUTION_API_URL: `http://127.0.0.1:${enginePort}`,
      AUTHENTICATION_API_KEY: engineKey,
      GATEWAY_PORT: String(port),
      ADMIN_PASSWORD: "Bootstrap123",
      LOG_LEVEL: "error",
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  await until(`${url}/health`);
  const res = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "bench", password }),
  });
  const { token } = await res.json();
  return { url, token, child, engine, db };
}

async function stop(s: Server) {
  for (const child of [s.child, s.engine]) {
    child.kill("SIGTERM");
    await child.status;
  }
  await s.db.drop();
}

async function exportAll(s: Server) {
  // Restart the peak count here (Linux: "5" → clear_refs resets VmHWM), so the peak below is the export's
  // own and not the login's argon2id, which briefly holds its 19 MiB of memory cost.
  await Deno.writeTextFile(`/proc/${s.child.pid}/clear_refs`, "5");
  const before = await rssMb(s.child.pid);
  const started = performance.now();
  const res = await fetch(`${s.url}/api/messages/export`, { headers: { apikey: s.token } });
  let lines = 0;
  for await (const chunk of res.body!) for (const b of chunk) if (b === 10) lines++;
  const seconds = (performance.now() - started) / 1000;
  const after = await rssMb(s.child.pid);
  const rows = lines - 1;
  if (rows !== ROWS) throw new Error(`exported ${rows} rows, expected ${ROWS}`);
  console.log(
    `export: ${rows} rows in ${seconds.toFixed(1)} s = ${Math.round(rows / seconds)} rows/s; ` +
      `server RSS ${before.now} MB at the start, peak ${after.peak} MB during the export (now ${after.now} MB)`,
  );
}

async function dashboard(s: Server) {
  const times: number[] = [];
  for (let i = 0; i < DASHBOARD_CALLS; i++) {
    const started = performance.now();
    const res = await fetch(`${s.url}/api/user/dashboard`, { headers: { apikey: s.token } });
    const body = await res.json();
    times.push(performance.now() - started);
    if (body.messages_total !== ROWS) throw new Error(`dashboard counted ${body.messages_total}`);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(1);
  console.log(`dashboard over ${ROWS} rows, ${DASHBOARD_CALLS} calls: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
}

let measured = false;

Deno.bench({
  name: `history: export ${ROWS} rows, then /api/user/dashboard ×${DASHBOARD_CALLS}`,
  n: 1,
  warmup: 0,
  ignore: !services.postgres,
}, async () => {
  if (measured) return;
  measured = true;
  const server = await start();
  try {
    await exportAll(server);
    await dashboard(server);
  } finally {
    await stop(server);
  }
});
