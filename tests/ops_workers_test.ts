// The worker registry and the operations workers, each run by calling its function against the real
// gateway, PostgreSQL and the sandbox engine: lease per tick, run history, /admin/workers, cleanup of a
// 20,000-row backlog, log rotation, reconnect with a dropped instance and with a loop, /metrics.
import parsePrometheus from "parse-prometheus-text-format";
import { assert, assertEquals, assertFields } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { backoffMs, LOOP_THRESHOLD, rotateLogFile, runCleanup, runReconnect } from "../lib/ops/mod.ts";
import { runWorkerNow, tickWorker, type WorkerSpec } from "../workers/mod.ts";
import { adminLogin, assertError, call, createUser } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";
import { control, tenantWithInstance } from "./_helpers/engine.ts";
import { needs } from "./_helpers/services.ts";
import { engineCalls, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";
import { startWebhookReceiver } from "../lib/sandbox/testing.ts";

const onPostgres = needs("postgres");

const counting = (name: string, fail = false) => {
  let runs = 0;
  const spec: WorkerSpec = {
    name,
    schedule: "* * * * *",
    run: () => {
      runs++;
      if (fail) return Promise.reject(new Error("boom"));
      return Promise.resolve({ runs });
    },
  };
  return { spec, runs: () => runs };
};

Deno.test("registry: a tick runs once per slot, later slots run again, failures are recorded", async () => {
  await using t = await startTestApp();
  const w = counting("test-count");
  const slot = new Date(Date.UTC(2026, 0, 1, 10, 0));
  const [a, b, c] = await Promise.all([1, 2, 3].map(() => tickWorker(t.deps, w.spec, slot)));
  assertEquals([a, b, c].filter(Boolean).length, 1);
  assertEquals(w.runs(), 1);
  assertEquals(await tickWorker(t.deps, w.spec, slot), null, "same slot again is skipped");
  const next = await tickWorker(t.deps, w.spec, new Date(slot.getTime() + 60_000));
  assertEquals(next?.ok, true);
  assertEquals(next?.result, { runs: 2 });

  const bad = counting("test-fail", true);
  const run = await tickWorker(t.deps, bad.spec, slot);
  assertEquals([run?.ok, run?.error], [false, "boom"]);
  const rows = await t.db.sql`SELECT name, ok, error, slot FROM taguato.worker_runs ORDER BY id`;
  assertEquals(rows.map((r) => [r.name, r.ok, r.error]), [
    ["test-count", true, null],
    ["test-count", true, null],
    ["test-fail", false, "boom"],
  ]);
});

Deno.test("registry: history keeps the newest 50 runs per worker; manual runs skip while one runs", async () => {
  await using t = await startTestApp();
  const w = counting("test-keep");
  for (let i = 0; i < 55; i++) await runWorkerNow(t.deps, w.spec);
  const [{ n }] = await t.db.sql`SELECT count(*)::int AS n FROM taguato.worker_runs WHERE name = 'test-keep'`;
  assertEquals(n, 50);

  let release!: () => void;
  const slow: WorkerSpec = {
    name: "test-slow",
    schedule: "* * * * *",
    run: () => new Promise((r) => release = () => r({})),
  };
  const first = runWorkerNow(t.deps, slow);
  while (!release) await new Promise((r) => setTimeout(r, 10));
  assertEquals(await runWorkerNow(t.deps, slow), null, "busy while the first run is going");
  assertEquals(await tickWorker(t.deps, slow, new Date()), null, "a tick is skipped too");
  release();
  assertEquals((await first)?.ok, true);
});

Deno.test("GET /admin/workers and POST /admin/workers/{name}/run", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const user = await createUser(t, admin, { username: "plainuser" });

  await s.step(
    "lists every registered worker with schedule and next run, last run null before any",
    async () => {
      const res = await call(t, "GET", "/admin/workers", { token: admin });
      assertEquals(res.status, 200);
      const names = res.body.workers.map((w: { name: string }) => w.name);
      assertEquals(names, [
        "uptime",
        "reconnect",
        "scheduled",
        "backup",
        "cleanup",
        "log-rotation",
        "webhook-dispatch",
        "campaigns",
        "daily-counts",
      ]);
      for (const w of res.body.workers) {
        assertFields(w, "last_run name next_run schedule");
        assert(new Date(w.next_run).getTime() > Date.now());
        assertEquals(w.last_run, null);
      }
    },
  );

  await s.step("run now: 200 with the finished run, then listed as the last run", async () => {
    const res = await call(t, "POST", "/admin/workers/log-rotation/run", { token: admin });
    assertEquals(res.status, 200);
    assertEquals(res.body.run.ok, true);
    assertEquals(res.body.run.manual, true);
    assertEquals(res.body.run.result.rotated, false);
    const list = await call(t, "GET", "/admin/workers", { token: admin });
    const lr = list.body.workers.find((w: { name: string }) => w.name === "log-rotation");
    assertFields(lr.last_run, "duration_ms error holder manual ok result started_at");
    const runs = await call(t, "GET", "/admin/workers/log-rotation/runs", { token: admin });
    assertEquals(runs.body.runs.length, 1);
  });

  await s.step("unknown worker: 404; a tenant: 403; no key: 401", async () => {
    assertError(await call(t, "POST", "/admin/workers/nope/run", { token: admin }), 404, "Worker not found");
    assertError(await call(t, "GET", "/admin/workers/nope/runs", { token: admin }), 404, "Worker not found");
    assertEquals((await call(t, "GET", "/admin/workers", { token: user.token })).status, 403);
    assertEquals((await call(t, "POST", "/admin/workers/cleanup/run", { token: user.token })).status, 403);
    assertEquals((await call(t, "GET", "/admin/workers")).status, 401);
  });
});

onPostgres.test("cleanup purges a 20,000-row backlog in batches and sweeps the expiries", async () => {
  await using t = await startTestApp();
  const sql = t.db.sql;
  const [{ id: uid }] = await sql`
    INSERT INTO taguato.users (username, password_hash) VALUES ('cleanme', 'x') RETURNING id`;
  await sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, created_at)
    SELECT ${uid}, 'inst', '595981000001', now() - interval '100 days' FROM generate_series(1, 20000)`;
  await sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, created_at)
    SELECT ${uid}, 'inst', '595981000001', now() - interval '1 day' FROM generate_series(1, 10)`;
  await sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, created_at)
    VALUES (${uid}, 'inst', '595981000002', 'sending', now() - interval '1 hour'),
           (${uid}, 'inst', '595981000003', 'sending', now())`;
  await sql`
    INSERT INTO taguato.audit_log (action, created_at)
    SELECT 'old_thing', now() - interval '200 days' FROM generate_series(1, 7000)`;
  await sql`
    INSERT INTO taguato.sessions (user_id, token_hash, expires_at)
    VALUES (${uid}, repeat('a', 64), now() - interval '1 minute'), (${uid}, repeat('b', 64), now() + interval '1 hour')`;
  await sql`
    INSERT INTO taguato.password_resets (user_id, code_hash, expires_at)
    VALUES (${uid}, 'h', now() - interval '2 days'), (${uid}, 'h', now() + interval '10 minutes')`;
  await sql`
    INSERT INTO taguato.login_name_failures (name_hash, attempts, last_failed_at)
    VALUES ('old', 2, now() - interval '1 hour'), ('fresh', 2, now())`;

  const result = await runCleanup(t.deps);
  assertEquals(result.message_logs_purged, 20000);
  assertEquals(result.audit_log_purged, 7000);
  assertEquals(result.sending_to_unknown, 1);
  assertEquals(result.sessions_expired, 1);
  assertEquals(result.reset_codes_deleted, 1);
  assertEquals(result.login_name_failures_deleted, 1);
  const [{ n }] = await sql`SELECT count(*)::int AS n FROM taguato.message_logs`;
  assertEquals(n, 12);
  const statuses =
    await sql`SELECT phone_number, status FROM taguato.message_logs WHERE phone_number <> '595981000001' ORDER BY 1`;
  assertEquals(statuses.map((r) => r.status), ["unknown", "sending"]);
  const again = await runCleanup(t.deps);
  assertEquals([again.message_logs_purged, again.sending_to_unknown, again.audit_log_purged], [0, 0, 0]);
});

onPostgres.test("cleanup folds a send interrupted after the engine call into the engine's record of it: one row per message", async () => {
  await using t = await startTestApp();
  const sql = t.db.sql;
  const [{ id: uid }] = await sql`
    INSERT INTO taguato.users (username, password_hash) VALUES ('folder', 'x') RETURNING id`;
  const row = (phone: string, status: string, source: string, minutesAgo: number, engineId: string | null) =>
    sql`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type, status, source,
          engine_message_id, created_at)
        VALUES (${uid}, 'inst', ${phone}, ${source === "engine" ? "other" : "text"}, ${status}, ${source},
          ${engineId}, now() - ${minutesAgo} * interval '1 minute')`;
  // The killed process's row and, 30 s later, the engine's own row of that message (it was sent and read).
  await row("595981000001", "sending", "api", 60, null);
  await row("595981000001", "read", "engine", 59.5, "ENG-1");
  // Two interrupted sends to one number and one engine row: only the older send takes it.
  await row("595981000002", "sending", "api", 40, null);
  await row("595981000002", "sending", "api", 39, null);
  await row("595981000002", "delivered", "engine", 38.9, "ENG-2");
  // An engine row of another number, and one logged too long after: neither is folded.
  await row("595981000003", "sending", "api", 30, null);
  await row("595981000004", "sent", "engine", 29.9, "ENG-4");
  await row("595981000003", "sent", "engine", 20, "ENG-3");
  // A recent `sending` row is still in flight: left alone.
  await row("595981000005", "sending", "api", 0, null);
  await row("595981000005", "sent", "engine", 0, "ENG-5");

  const result = await runCleanup(t.deps);
  assertEquals([result.interrupted_sends_folded, result.sending_to_unknown], [2, 2]);
  const rows = await sql<
    { phone_number: string; status: string; source: string; engine_message_id: string }[]
  >`
    SELECT phone_number, status, source, engine_message_id FROM taguato.message_logs ORDER BY phone_number, id`;
  assertEquals(rows.map((r) => [r.phone_number.slice(-1), r.status, r.source, r.engine_message_id]), [
    ["1", "read", "api", "ENG-1"],
    ["2", "delivered", "api", "ENG-2"],
    ["2", "unknown", "api", null],
    ["3", "unknown", "api", null],
    ["3", "sent", "engine", "ENG-3"],
    ["4", "sent", "engine", "ENG-4"],
    ["5", "sending", "api", null],
    ["5", "sent", "engine", "ENG-5"],
  ]);
  // The per-day counts follow the fold (statement triggers of migrations 0017 and 0026).
  const [{ n }] =
    await sql`SELECT coalesce(sum(n), 0)::int AS n FROM taguato.message_daily_counts WHERE user_id = ${uid}`;
  assertEquals(n, rows.length);
  // An engine row that arrives after the sweep still finds the send it belongs to (now `unknown`).
  await row("595981000003", "sent", "engine", 29.5, "ENG-3b");
  const again = await runCleanup(t.deps);
  assertEquals([again.interrupted_sends_folded, again.sending_to_unknown], [1, 0]);
  const [late] = await sql`
    SELECT status, source, engine_message_id, error_message FROM taguato.message_logs
    WHERE engine_message_id = 'ENG-3b'`;
  assertEquals([late.status, late.source, late.error_message], ["sent", "api", null]);
});

Deno.test("log rotation: below the threshold nothing moves; above it files shift and 7 are kept", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/access.log`;
  try {
    await Deno.writeTextFile(file, "x".repeat(10));
    assertEquals((await rotateLogFile(file, { maxBytes: 100, keep: 7 })).rotated, false);
    for (let i = 1; i <= 9; i++) {
      await Deno.writeTextFile(file, `gen${i}`.padEnd(200, "."));
      assertEquals((await rotateLogFile(file, { maxBytes: 100, keep: 7 })).rotated, true);
    }
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names.sort(), [1, 2, 3, 4, 5, 6, 7].map((i) => `access.log.${i}`));
    assert((await Deno.readTextFile(`${file}.1`)).startsWith("gen9"));
    assert((await Deno.readTextFile(`${file}.7`)).startsWith("gen3"));
    assertEquals((await rotateLogFile(`${dir}/missing.log`, { maxBytes: 1, keep: 7 })).rotated, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("log-rotation worker: the gateway's access log file is rotated and written again", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/access.log`;
  await using t = await startTestApp({ env: { ACCESS_LOG_FILE: file, ACCESS_LOG_MAX_BYTES: "1" } });
  try {
    await (await fetch(`${t.url}/health`)).body?.cancel();
    let text = "";
    for (let i = 0; i < 100 && !text.includes('"uri":"/health"'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = await Deno.readTextFile(file).catch(() => "");
    }
    assert(text.includes('"uri":"/health"'), "the request was logged to the file");
    const admin = await adminLogin(t);
    const res = await call(t, "POST", "/admin/workers/log-rotation/run", { token: admin });
    assertEquals(res.body.run.result.rotated, true);
    assert((await Deno.readTextFile(`${file}.1`)).includes('"uri":"/health"'));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reconnect: a dropped instance is reconnected and logged; a lost session loops and is flagged", async (s) => {
  const clock = new ManualClock(Date.now());
  const alerts = startWebhookReceiver();
  await using _receiver = { [Symbol.asyncDispose]: () => alerts.stop() };
  await using t = await startTestApp({ clock, env: { ALERT_WEBHOOK_URL: alerts.url } });
  const tenant = await tenantWithInstance(t, "tenant1", "inst-drop");
  const sql = t.db.sql;
  await sql`
    INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events, is_active)
    VALUES (${tenant.id}, 'inst-drop', 'http://127.0.0.1:9/hook', '{}', true)`;

  await s.step("an open instance is left alone", async () => {
    const r = await runReconnect(t.deps, { settleMs: 2000 });
    assertEquals([r.checked, r.open, r.attempted], [1, 1, 0]);
  });

  await s.step(
    "a drop (connecting) is reconnected: reconnect_log row, disconnected event queued",
    async () => {
      await control(t).drop("inst-drop", 300);
      const r = await runReconnect(t.deps, { settleMs: 3000 });
      assertEquals(r.reconnected, ["inst-drop"]);
      const log = await sql`SELECT previous_state, result FROM taguato.reconnect_log`;
      assertEquals(log.map((x) => [x.previous_state, x.result]), [["connecting", "reconnected"]]);
      const [ev] = await sql`
      SELECT event, body FROM taguato.webhook_deliveries WHERE event LIKE 'instance.%'`;
      assertEquals(ev.event, "instance.disconnected");
      assertEquals(JSON.parse(ev.body).instance, "inst-drop");
    },
  );

  await s.step("a lost session fails with backoff; the 5th attempt in an hour flags the loop", async () => {
    await control(t).phoneLogout("inst-drop");
    const flagged: string[][] = [];
    for (let i = 1; i <= LOOP_THRESHOLD; i++) {
      const r = await runReconnect(t.deps, { settleMs: 200 });
      assertEquals(r.failed, ["inst-drop"], `attempt ${i}`);
      const [row] = await sql`
        SELECT reconnect_failures, next_reconnect_at FROM taguato.user_instances WHERE instance_name = 'inst-drop'`;
      assertEquals(row.reconnect_failures, i);
      assertEquals(row.next_reconnect_at.getTime(), clock.now() + backoffMs(i));
      const waiting = await runReconnect(t.deps, { settleMs: 200 });
      assertEquals(waiting.backing_off, ["inst-drop"], "no attempt inside the backoff");
      flagged.push(r.flagged);
      clock.advance(backoffMs(i));
    }
    // The reconnect of the drop above plus four failures: five attempts inside the hour.
    assertEquals(flagged, [[], [], [], ["inst-drop"], []]);
    // The admins' alert channel hears of the loop once.
    const loopAlerts = alerts.received.filter((r) =>
      JSON.stringify(r.body).includes("Reconnect loop: inst-drop")
    );
    assertEquals(loopAlerts.length, 1);
    const events = await sql`
      SELECT event FROM taguato.webhook_deliveries WHERE event LIKE 'instance.%' ORDER BY id`;
    assertEquals(events.map((e) => e.event), [
      "instance.disconnected",
      "instance.disconnected",
      "instance.reconnect_loop",
    ]);
  });

  await s.step("the tenant sees the history and the flag; others are refused", async () => {
    const res = await call(t, "GET", "/api/reconnects/inst-drop", { token: tenant.token });
    assertEquals(res.status, 200);
    assertEquals(res.body.total, 1 + LOOP_THRESHOLD);
    assertEquals(res.body.reconnects[0].result, "failed");
    assert(res.body.reconnect_loop_at !== null);
    const admin = await adminLogin(t);
    const other = await createUser(t, admin, { username: "outsider" });
    assertEquals((await call(t, "GET", "/api/reconnects/inst-drop", { token: other.token })).status, 403);
    assertError(
      await call(t, "GET", "/api/reconnects/inst-drop?page=0", { token: tenant.token }),
      400,
      "page must be a positive integer",
    );
  });

  await s.step("scanned again: open clears the flag and the backoff", async () => {
    await control(t).scan("inst-drop", { phone: "595981000001", profileName: "tenant1" });
    const r = await runReconnect(t.deps, { settleMs: 200 });
    assertEquals(r.open, 1);
    const [row] = await sql`
      SELECT reconnect_failures, next_reconnect_at, reconnect_loop_at FROM taguato.user_instances`;
    assertEquals([row.reconnect_failures, row.next_reconnect_at, row.reconnect_loop_at], [0, null, null]);
  });
});

Deno.test("GET /metrics: Prometheus text that a parser reads, naming every series; admin or allow-list only", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const user = await createUser(t, admin, { username: "metricsuser" });
  await call(t, "GET", `/admin/users/${user.id}`, { token: admin });

  await s.step("admin key: 200 and every family parses", async () => {
    const res = await fetch(`${t.url}/metrics`, { headers: { apikey: admin } });
    assertEquals(res.status, 200);
    assert(res.headers.get("content-type")!.startsWith("text/plain"));
    const families = parsePrometheus(await res.text());
    const names = new Set(families.map((f: { name: string }) => f.name));
    for (
      const n of [
        "taguato_http_requests_total",
        "taguato_http_request_duration_seconds",
        "taguato_sends_24h",
        "taguato_instances",
        "taguato_queue_depth",
        "taguato_worker_runs_total",
        "taguato_worker_run_duration_seconds",
        "taguato_circuit_breaker_state",
      ]
    ) assert(names.has(n), `missing ${n}`);
    const http = families.find((f: { name: string }) => f.name === "taguato_http_requests_total");
    const routes = http.metrics.map((m: { labels: { route: string } }) => m.labels.route);
    assert(routes.includes("/admin/users/:id"), `route pattern label, got ${routes}`);
    assert(!routes.some((r: string) => r.includes(String(user.id))), "never the raw path");
    const breaker = families.find((f: { name: string }) => f.name === "taguato_circuit_breaker_state");
    const closed = breaker.metrics.find((m: { labels: { state: string } }) => m.labels.state === "closed");
    assertEquals(closed.value, "1");
  });

  await s.step("no key or a tenant key: 403", async () => {
    const anon = await call(t, "GET", "/metrics");
    assertError(anon, 403, "Metrics need an admin API key or an allowed address");
    assertEquals((await call(t, "GET", "/metrics", { token: user.token })).status, 403);
  });
});

Deno.test("GET /metrics: an allow-listed address scrapes without a key", async () => {
  await using t = await startTestApp({ env: { METRICS_ALLOW: "127.0.0.1/32" } });
  const res = await fetch(`${t.url}/metrics`);
  assertEquals(res.status, 200);
  assert((await res.text()).includes("taguato_queue_depth"));
});

Deno.test("reconnect: with no owned instance the pass checks nothing and never calls the engine", async () => {
  await using gw = await startGateway();
  const before = engineCalls(gw).length;
  const r = await runReconnect(gw.deps, { settleMs: 200 });
  assertEquals([r.checked, r.attempted], [0, 0]);
  assertEquals(engineCalls(gw).slice(before), []);
  // Once an instance is owned, the pass reads the engine's list again.
  await makeInstance(gw, await makeUser(gw), "owned-1", true);
  const listed = engineCalls(gw).length;
  assertEquals((await runReconnect(gw.deps, { settleMs: 200 })).checked, 1);
  assert(engineCalls(gw).slice(listed).some((l) => l.startsWith("GET /instance/fetchInstances ")));
});
