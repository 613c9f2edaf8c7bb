/**
 * `deno task bench:load` (issue #14, DESIGN §7): concurrent load on the hot path, as ratios taken in one
 * run. Starts, each as its own process on loopback: the sandbox engine (`lib/sandbox/main.ts`), the
 * gateway (`main.ts`, with the V8 flags of `deno task start`) on a fresh PostgreSQL database and Redis, a
 * plain nginx reverse proxy to the same sandbox (temp config, no root needed), a bare `Deno.serve`
 * answering "ok" and a bare Deno proxy that forwards with `fetch` and does nothing else (bench/load_bare.ts:
 * the ceiling of any fetch-based proxy on this machine, beside nginx's). Then drives each path with
 * wrk (`-t1 -c32`, LOAD_SECONDS per path, default 5) and prints req/s, p50, p99 and the ratios, plus the
 * gateway's p50 overhead over the direct call at one connection, and checks that every ledger row of the
 * send scenario reached its final receipt status. wrk and nginx are installed with apt when missing.
 *
 * The sandbox posts up to 16 webhooks at once (LOAD_WEBHOOK_CONCURRENCY, SANDBOX_WEBHOOK_CONCURRENCY of
 * `deno task sandbox`), as the real engine posts each event in the background (evolution-api.md §6.3):
 * receipts then arrive during the burst of sends, often before the send's own HTTP answer, instead of in a
 * queue after it. 1 gives the sandbox's ordered default.
 *
 * Settings: LOAD_SECONDS, LOAD_CONNECTIONS (32), TEST_DATABASE_URL, TEST_REDIS_URL (the bench uses
 * database 11 of that Redis so its rate-limit keys meet no one else's), LOAD_CPU_PROF=dir (the gateway
 * runs with --cpu-prof into dir), LOAD_ONLY=regex (only the paths whose label matches, to profile one), LOAD_PAUSE=1 (set everything up,
 * print the addresses and the tenant token, and wait for Ctrl-C). The CPU per request of the Deno servers (the
 * gateway, the bare server, the bare proxy) is printed beside their paths (receipts of the sends arrive up to
 * 2 s later and are partly counted in the next path), then, for each ratio target, the CPU per request it
 * leaves the gateway's one thread (1e6 / the req/s it asks); and so are the bench database's rolled-back
 * transactions, each a statement that failed.
 */
import { connect, createMemoryCache, systemClock } from "../lib/core/mod.ts";
import { createSession } from "../lib/auth/mod.ts";
import { startTaskFlags } from "../tests/_helpers/services.ts";
import { createClient } from "redis";

const SECONDS = Number(Deno.env.get("LOAD_SECONDS") ?? 5);
const CONNECTIONS = Number(Deno.env.get("LOAD_CONNECTIONS") ?? 32);
const PG_URL = Deno.env.get("TEST_DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = `${(Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379").replace(/\/\d*$/, "")}/11`;
const CPU_PROF = Deno.env.get("LOAD_CPU_PROF");
const ONLY = Deno.env.get("LOAD_ONLY") ? new RegExp(Deno.env.get("LOAD_ONLY")!) : undefined;
const ENGINE_KEY = "bench-engine-key-0123456789abcdef";
const ROOT = new URL("../", import.meta.url).pathname;
const tmp = await Deno.makeTempDir({ prefix: "taguato-load-" });
const children: Deno.ChildProcess[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return { ok: r.success, out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr) };
}

async function exists(path: string) {
  return await Deno.stat(path).then(() => true, () => false);
}

async function ensureTool(path: string, pkg: string) {
  if (await exists(path)) return;
  console.log(`installing ${pkg} (apt-get)…`);
  const r = await run("apt-get", ["install", "-y", "--no-install-recommends", pkg]);
  if (!r.ok || !(await exists(path))) throw new Error(`could not install ${pkg}:\n${r.out}`);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Starts a process with its output in a file of the temp dir (a full pipe would stall it). */
function spawn(name: string, cmd: string[], env: Record<string, string> = {}) {
  const log = `${tmp}/${name}.log`;
  const quoted = cmd.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("sh", {
    args: ["-c", `exec ${quoted} >'${log}' 2>&1`],
    env,
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  children.push(child);
  return { child, log };
}

async function waitFor(url: string, what: string, log: string, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${what} did not answer at ${url}; its log:\n${await Deno.readTextFile(log).catch(() => "")}`,
  );
}

async function stopAll() {
  for (const child of children.reverse()) {
    try {
      child.kill("SIGTERM");
      await Promise.race([child.status, new Promise((r) => setTimeout(r, 5_000))]);
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
}

interface Target {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  /**
   * CPU (user + system) per request of the Deno server answering (gateway, bare server, bare proxy): steadier
   * than req/s on a busy box, and what bounds a one-thread server's req/s (at most 1e6 / cpuUs).
   */
  cpuUs?: number;
  /** PostgreSQL transactions of the bench database and Redis commands, per request (gateway paths). */
  pgTx?: number;
  /** Transactions rolled back meanwhile (a failed statement: a unique-key clash, a deadlock), in all. */
  pgRollbacks?: number;
  redisCmds?: number;
  errors: number;
}

const lua = (s: string) => JSON.stringify(s); // a JSON string is a valid Lua string literal here (ASCII)

/** One wrk run; the Lua script sets method, headers and body and prints the summary as JSON. */
async function wrk(t: Target, connections = CONNECTIONS, seconds = SECONDS): Promise<Result> {
  const script = `${tmp}/wrk-${crypto.randomUUID()}.lua`;
  const headers = Object.entries(t.headers ?? {}).map(([k, v]) => `wrk.headers[${lua(k)}] = ${lua(v)}`);
  await Deno.writeTextFile(
    script,
    [
      `wrk.method = ${lua(t.method ?? "GET")}`,
      ...headers,
      t.body ? `wrk.body = ${lua(t.body)}` : "",
      `done = function(summary, latency, requests)`,
      `  local e = summary.errors`,
      `  io.write(string.format('\\nRESULT {"requests":%d,"us":%d,"p50":%d,"p99":%d,"non2xx":%d,"errors":%d}\\n',`,
      `    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,`,
      `    e.connect + e.read + e.write + e.timeout))`,
      `end`,
    ].join("\n"),
  );
  const r = await run("wrk", [
    `-t1`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `10s`,
    `-s`,
    script,
    t.url,
  ]);
  const line = r.out.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`wrk failed on ${t.url}:\n${r.out}`);
  const j = JSON.parse(line.slice(7));
  return {
    rps: j.requests / (j.us / 1e6),
    p50: j.p50 / 1000,
    p99: j.p99 / 1000,
    requests: j.requests,
    non2xx: j.non2xx,
    errors: j.errors,
  };
}

/** Resident set size of a process, in MB. */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** utime + stime of a process in clock ticks (USER_HZ, 100 per second on Linux). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function nginxConfig(listen: number, upstream: number): string {
  // The gateway is one process on one event loop: one nginx worker is the like-for-like proxy.
  return `${Deno.uid() === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${tmp}/nginx-body;
  proxy_temp_path ${tmp}/nginx-proxy;
  fastcgi_temp_path ${tmp}/nginx-fastcgi;
  uwsgi_temp_path ${tmp}/nginx-uwsgi;
  scgi_temp_path ${tmp}/nginx-scgi;
  upstream sandbox { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${listen};
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
}

async function main() {
  await ensureTool("/usr/bin/wrk", "wrk");
  await ensureTool("/usr/sbin/nginx", "nginx-light");

  const ports = {
    sandbox: freePort(),
    gateway: freePort(),
    nginx: freePort(),
    bare: freePort(),
    bareProxy: freePort(),
  };
  const base = {
    sandbox: `http://127.0.0.1:${ports.sandbox}`,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    nginx: `http://127.0.0.1:${ports.nginx}`,
    bare: `http://127.0.0.1:${ports.bare}`,
    bareProxy: `http://127.0.0.1:${ports.bareProxy}`,
  };

  // A fresh database of the bench's own, dropped at the end.
  const dbName = `taguato_load_${Date.now().toString(36)}`;
  const admin = connect(PG_URL, 1);
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const dbUrl = Object.assign(new URL(PG_URL), { pathname: `/${dbName}` }).href;
  cleanups.push(async () => {
    const a = connect(PG_URL, 1);
    await a.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  });

  const sandbox = spawn("sandbox", ["deno", "run", "-A", "lib/sandbox/main.ts"], {
    SANDBOX_PORT: String(ports.sandbox),
    AUTHENTICATION_API_KEY: ENGINE_KEY,
    SANDBOX_WEBHOOK_CONCURRENCY: Deno.env.get("LOAD_WEBHOOK_CONCURRENCY") ?? "16",
  });
  const bare = spawn("bare", ["deno", "run", "-A", "bench/load_bare.ts", String(ports.bare)]);
  const bareProxy = spawn("bare-proxy", [
    "deno",
    "run",
    "-A",
    "bench/load_bare.ts",
    String(ports.bareProxy),
    base.sandbox,
  ]);
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) await Deno.mkdir(`${tmp}/nginx-${d}`);
  await Deno.writeTextFile(`${tmp}/nginx.conf`, nginxConfig(ports.nginx, ports.sandbox));
  const nginx = spawn("nginx", [
    "/usr/sbin/nginx",
    "-p",
    tmp,
    "-c",
    `${tmp}/nginx.conf`,
    "-g",
    "daemon off;",
  ]);
  const gateway = spawn(
    "gateway",
    [
      "deno",
      "run",
      "-A",
      ...await startTaskFlags(),
      ...(CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`] : []),
      "main.ts",
    ],
    {
      GATEWAY_PORT: String(ports.gateway),
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl,
      REDIS_URL,
      EVOLUTION_API_URL: base.sandbox,
      AUTHENTICATION_API_KEY: ENGINE_KEY,
      ADMIN_PASSWORD: "Bench-Admin-123!",
      // The per-IP send limit would otherwise be the thing measured (every wrk connection is one IP).
      SEND_RATE_LIMIT_PER_SECOND: "1000000",
      LOG_LEVEL: "info",
    },
  );
  await waitFor(`${base.sandbox}/`, "sandbox", sandbox.log);
  await waitFor(`${base.bare}/`, "bare Deno.serve", bare.log);
  await waitFor(`${base.bareProxy}/`, "bare Deno fetch proxy", bareProxy.log);
  await waitFor(`${base.nginx}/`, "nginx", nginx.log);
  await waitFor(`${base.gateway}/health`, "gateway", gateway.log);
  const idleRss = await rssMb(gateway.child.pid);

  // A tenant with a session, an instance created through the gateway (so its engine webhook feeds the
  // ledger) and opened, and 10 templates. A second instance made straight in the engine (no gateway
  // webhook) serves the direct and nginx sends.
  const sql = connect(dbUrl, 2);
  cleanups.unshift(() => sql.end({ timeout: 1 }));
  const [user] = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, max_instances, rate_limit, must_change_password)
    VALUES ('bench', 'not-a-login-hash', 'user', 5, NULL, false) RETURNING id`;
  const { token } = await createSession(
    { sql, cache: createMemoryCache(), clock: systemClock },
    { id: user.id },
    { ip: "127.0.0.1", userAgent: "bench" },
  );
  const json = { "content-type": "application/json" };
  const call = async (url: string, method: string, key: string, body?: unknown) => {
    const res = await fetch(url, {
      method,
      headers: { apikey: key, ...json },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text;
  };
  await call(`${base.gateway}/instance/create`, "POST", token, {
    instanceName: "bench-gw",
    integration: "WHATSAPP-BAILEYS",
  });
  await call(`${base.sandbox}/instance/create`, "POST", ENGINE_KEY, {
    instanceName: "bench-direct",
    integration: "WHATSAPP-BAILEYS",
  });
  for (const name of ["bench-gw", "bench-direct"]) {
    await call(`${base.sandbox}/_sandbox/instances/${name}/scan`, "POST", ENGINE_KEY, {
      phone: "595981000001",
    });
  }
  for (let i = 0; i < 10; i++) {
    await sql`INSERT INTO taguato.message_templates (user_id, name, content)
              VALUES (${user.id}, ${`plantilla ${i}`}, ${`Hola {{nombre}}, su pedido ${i} está listo.`})`;
  }

  const body = JSON.stringify({ number: "595981000111", text: "hola desde el bench de carga" });
  const send = (url: string, key: string): Target => ({
    url,
    method: "POST",
    headers: { apikey: key, ...json },
    body,
  });
  const engine = { apikey: ENGINE_KEY };
  const tenant = { apikey: token };
  const targets = {
    sendDirect: send(`${base.sandbox}/message/sendText/bench-direct`, ENGINE_KEY),
    sendNginx: send(`${base.nginx}/message/sendText/bench-direct`, ENGINE_KEY),
    sendBareProxy: send(`${base.bareProxy}/message/sendText/bench-direct`, ENGINE_KEY),
    sendGateway: send(`${base.gateway}/message/sendText/bench-gw`, token),
    stateDirect: { url: `${base.sandbox}/instance/connectionState/bench-direct`, headers: engine },
    stateNginx: { url: `${base.nginx}/instance/connectionState/bench-direct`, headers: engine },
    stateBareProxy: { url: `${base.bareProxy}/instance/connectionState/bench-direct`, headers: engine },
    stateGateway: { url: `${base.gateway}/instance/connectionState/bench-gw`, headers: tenant },
    bare: { url: `${base.bare}/` },
    health: { url: `${base.gateway}/health` },
    me: { url: `${base.gateway}/api/auth/me`, headers: tenant },
    templates: { url: `${base.gateway}/api/templates`, headers: tenant },
    fetchInstances: { url: `${base.sandbox}/instance/fetchInstances`, headers: engine },
  };

  if (Deno.env.get("LOAD_PAUSE")) {
    // For a profiler or a hand-run wrk: everything stays up until Ctrl-C.
    console.log(JSON.stringify({ base, token, engineKey: ENGINE_KEY, gatewayPid: gateway.child.pid, tmp }));
    await new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", resolve));
    return true;
  }
  // Warm-up: JIT, connection pools, caches.
  for (const t of Object.values(targets)) await wrk(t, 4, 1);

  // Round trips, counted by the servers: transactions committed or rolled back in the bench database (its
  // statistics are flushed about once a second, so a path's count is approximate) and Redis commands.
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  cleanups.unshift(() => redis.quit());
  const roundTrips = async () => {
    const [{ tx, rollbacks }] = await sql<{ tx: number; rollbacks: number }[]>`
      SELECT (xact_commit + xact_rollback)::float8 AS tx, xact_rollback::float8 AS rollbacks
      FROM pg_stat_database WHERE datname = ${dbName}`;
    const info = await redis.info("stats");
    const cmds = Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
    return { pg: tx, rollbacks, redis: cmds };
  };
  // The ledger: every row of the gateway's sends must reach the last receipt the sandbox sends (read). A
  // burst of sends leaves receipts arriving for seconds after it: the paths after one wait for that to
  // finish, so they are not measured against its tail.
  const counts = async () =>
    await sql<{ status: string; n: number }[]>`
      SELECT status, count(*)::int AS n FROM taguato.message_logs
      WHERE instance_name = 'bench-gw' AND direction = 'outbound' GROUP BY status ORDER BY status`;
  const settled = async () => {
    const until = Date.now() + 60_000;
    let ledger = await counts();
    while (ledger.some((r) => r.status !== "read") && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      ledger = await counts();
    }
    return ledger;
  };
  const rows: [string, Result][] = [];
  const denoServers: [string, number][] = [
    [base.gateway, gateway.child.pid],
    [base.bare, bare.child.pid],
    [base.bareProxy, bareProxy.child.pid],
  ];
  const measure = async (label: string, t: Target, connections = CONNECTIONS) => {
    if (ONLY && !ONLY.test(label)) return { rps: NaN, p50: NaN, p99: NaN, requests: 0, non2xx: 0, errors: 0 };
    const server = denoServers.find(([url]) => t.url.startsWith(url))?.[1];
    const before = { cpu: server ? await cpuTicks(server) : 0, ...await roundTrips() };
    const r = await wrk(t, connections);
    const n = Math.max(1, r.requests);
    if (server) r.cpuUs = ((await cpuTicks(server)) - before.cpu) * 10_000 / n;
    if (t.url.startsWith(base.gateway)) {
      const after = await roundTrips();
      r.pgTx = (after.pg - before.pg) / n;
      r.pgRollbacks = after.rollbacks - before.rollbacks;
      r.redisCmds = (after.redis - before.redis) / n;
    }
    rows.push([label, r]);
    console.error(`  ${label}: ${Math.round(r.rps)} req/s`);
    return r;
  };
  console.error(`driving each path for ${SECONDS}s at -t1 -c${CONNECTIONS}…`);
  const fetchBefore = await measure("sandbox: GET fetchInstances (before the sends)", targets.fetchInstances);
  const sendDirect = await measure("sandbox direct: POST sendText", targets.sendDirect);
  const sendNginx = await measure("nginx → sandbox: POST sendText", targets.sendNginx);
  const sendBareProxy = await measure(
    "bare Deno fetch proxy → sandbox: POST sendText",
    targets.sendBareProxy,
  );
  const sendGateway = await measure("gateway: POST sendText (tenant, ledger)", targets.sendGateway);
  const drainStarted = Date.now();
  await settled();
  const drainMs = Date.now() - drainStarted;
  const stateDirect = await measure("sandbox direct: GET connectionState", targets.stateDirect);
  const stateNginx = await measure("nginx → sandbox: GET connectionState", targets.stateNginx);
  const stateBareProxy = await measure(
    "bare Deno fetch proxy → sandbox: GET connectionState",
    targets.stateBareProxy,
  );
  const stateGateway = await measure("gateway: GET connectionState (tenant)", targets.stateGateway);
  const bareR = await measure("bare Deno.serve: GET /", targets.bare);
  const health = await measure("gateway: GET /health", targets.health);
  const me = await measure("gateway: GET /api/auth/me", targets.me);
  const templates = await measure("gateway: GET /api/templates (10 rows)", targets.templates);
  const [{ sent }] = await sql<{ sent: number }[]>`SELECT count(*)::int AS sent FROM taguato.message_logs`;
  const fetchAfter = await measure(
    `sandbox: GET fetchInstances (after ≥${sent} gateway sends)`,
    targets.fetchInstances,
  );
  await settled();
  console.error(`at one connection…`);
  const one = {
    sendDirect: await measure("c1 sandbox direct: POST sendText", targets.sendDirect, 1),
    sendGateway: await measure("c1 gateway: POST sendText", targets.sendGateway, 1),
    stateDirect: await measure("c1 sandbox direct: GET connectionState", targets.stateDirect, 1),
    stateGateway: await measure("c1 gateway: GET connectionState", targets.stateGateway, 1),
  };

  const ledger = await settled();

  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, d = 0) => n.toFixed(d).padStart(9);
  console.log(`\nbench:load — wrk -t1 -c${CONNECTIONS}, ${SECONDS}s per path, one run, loopback`);
  console.log(
    `${pad("path", 58)}${"req/s".padStart(9)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${
      "cpu µs/req".padStart(11)
    }${"pg tx/req".padStart(11)}${"pg rollbk".padStart(11)}${"redis/req".padStart(11)}  non-2xx`,
  );
  for (const [label, r] of rows) {
    console.log(
      `${pad(label, 58)}${num(r.rps)}${num(r.p50, 2)}${num(r.p99, 2)}${
        (r.cpuUs === undefined ? "" : r.cpuUs.toFixed(0)).padStart(11)
      }${(r.pgTx === undefined ? "" : r.pgTx.toFixed(2)).padStart(11)}${
        (r.pgRollbacks === undefined ? "" : r.pgRollbacks.toFixed(0)).padStart(11)
      }${(r.redisCmds === undefined ? "" : r.redisCmds.toFixed(2)).padStart(11)}  ${
        r.non2xx + r.errors || ""
      }`,
    );
  }
  const ratio = (a: Result, b: Result) => (a.rps / b.rps).toFixed(2) + "×";
  console.log(`\nratios (target in brackets)`);
  console.log(`  gateway/nginx  POST sendText          ${ratio(sendGateway, sendNginx)}  [≥ 0.5×]`);
  console.log(`  gateway/nginx  GET connectionState    ${ratio(stateGateway, stateNginx)}  [≥ 0.6×]`);
  console.log(
    `  bare fetch proxy/nginx  POST sendText ${ratio(sendBareProxy, sendNginx)}  (a fetch proxy's ceiling)`,
  );
  console.log(
    `  bare fetch proxy/nginx  GET state    ${ratio(stateBareProxy, stateNginx)}  (a fetch proxy's ceiling)`,
  );
  console.log(`  nginx/direct   POST sendText          ${ratio(sendNginx, sendDirect)}`);
  console.log(`  nginx/direct   GET connectionState    ${ratio(stateNginx, stateDirect)}`);
  console.log(`  /health / bare Deno.serve             ${ratio(health, bareR)}  [≥ 0.4×]`);
  console.log(`  /api/auth/me / /health                ${ratio(me, health)}  [≥ 0.5×]`);
  console.log(`  /api/templates                        ${Math.round(templates.rps)} req/s  [≥ 7,000]`);
  console.log(`  fetchInstances after/before sends     ${ratio(fetchAfter, fetchBefore)}`);
  // The gateway's JavaScript, its HTTP server and its clients share one thread, so a path's req/s is at most
  // 1e6 / its CPU µs per request: the budget a target leaves, beside what the path and the bare servers cost.
  const budget = (label: string, need: number, g: Result, floor: Result, floorName: string) =>
    console.log(
      `  ${label.padEnd(21)}≤ ${(1e6 / need).toFixed(0).padStart(4)} µs (${
        Math.round(need)
      } req/s); gateway ${g.cpuUs?.toFixed(0)} µs, ${floorName} ${floor.cpuUs?.toFixed(0)} µs`,
    );
  console.log(`
CPU per request a target allows the gateway's one thread, against what it takes`);
  budget("POST sendText", 0.5 * sendNginx.rps, sendGateway, sendBareProxy, "the bare fetch proxy");
  console.log(`    (a send's CPU includes its receipt webhooks, which the same thread ingests)`);
  budget("GET connectionState", 0.6 * stateNginx.rps, stateGateway, stateBareProxy, "the bare fetch proxy");
  budget("GET /health", 0.4 * bareR.rps, health, bareR, "bare Deno.serve");
  const over = (g: Result, d: Result) =>
    `${(g.p50 - d.p50).toFixed(2)} ms (${g.p50.toFixed(2)} vs ${d.p50.toFixed(2)})`;
  console.log(`\none connection: gateway p50 overhead over the direct call [< 1 ms]`);
  console.log(`  POST sendText          ${over(one.sendGateway, one.sendDirect)}`);
  console.log(`  GET connectionState    ${over(one.stateGateway, one.stateDirect)}`);
  const sendsSeen = sendGateway.requests - sendGateway.non2xx + one.sendGateway.requests -
    one.sendGateway.non2xx;
  const total = ledger.reduce((s, r) => s + r.n, 0);
  const pending = ledger.filter((r) => r.status !== "read").reduce((s, r) => s + r.n, 0);
  console.log(`\nledger of the gateway sends: ${total} rows (wrk counted ${sendsSeen} answers 2xx)`);
  console.log(`  the last receipts of the -c${CONNECTIONS} sends arrived ${drainMs} ms after the burst`);
  console.log(`  by status: ${ledger.map((r) => `${r.status} ${r.n}`).join(", ") || "none"}`);
  console.log(
    pending === 0 && total >= sendsSeen
      ? `  every row reached its final receipt status (read): none lost`
      : `  NOT ALL FINAL: ${pending} rows short of "read"${
        total < sendsSeen ? `, ${sendsSeen - total} rows missing` : ""
      }`,
  );
  console.log(
    `\ngateway RSS: ${idleRss} MB idle after start-up, ${await rssMb(gateway.child.pid)} MB after the run`,
  );
  return pending === 0 && total >= sendsSeen;
}

let ok = false;
try {
  ok = await main();
} finally {
  await stopAll();
}
Deno.exit(ok ? 0 : 1);
