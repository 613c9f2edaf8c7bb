// GET /api/status and the SLA report against the real gateway: contract §1.2, §6 (shape, X-Cache, 405,
// overall state), maintenance windows left out of uptime, and the per-address limit.
import { assert, assertEquals, assertFields } from "../lib/core/testing.ts";
import { adminLogin, assertError, call } from "./_helpers/accounts.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";

const HOUR = 3_600_000;

/** Inserts uptime samples for `service`, one per hour ending now, `down` of them failed (the oldest). */
async function samples(t: TestApp, service: string, count: number, down: number, endMs = Date.now()) {
  const rows = Array.from({ length: count }, (_, i) => ({
    service_name: service,
    status: i < down ? "major_outage" : "operational",
    response_time: 10 + i,
    checked_at: new Date(endMs - (count - i) * HOUR),
  }));
  await t.deps.sql`INSERT INTO taguato.uptime_checks ${
    t.deps.sql(rows, "service_name", "status", "response_time", "checked_at")
  }`;
  return rows;
}

Deno.test("GET /api/status answers the contract's document, cached 15 s with X-Cache", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);

  await s.step("MISS computes: four services in order, empty lists and maps", async () => {
    const res = await call(t, "GET", "/api/status");
    assertEquals([res.status, res.headers.get("x-cache")], [200, "MISS"]);
    assertFields(
      res.body,
      "overall_status services active_incidents recent_incidents scheduled_maintenances uptime uptime_daily " +
        "response_time_history cached checked_at",
    );
    assertEquals(res.body.services.map((x: { name: string }) => x.name), [
      "Gateway",
      "Evolution API",
      "PostgreSQL",
      "Redis",
    ]);
    assertEquals(res.body.overall_status, "operational");
    assertEquals([res.body.active_incidents, res.body.uptime, res.body.cached], [[], {}, false]);
    assert(!Number.isNaN(Date.parse(res.body.checked_at)) && res.body.checked_at.endsWith("GMT"));
  });

  await s.step("HIT replays the stored document and says cached: true", async () => {
    const res = await call(t, "GET", "/api/status");
    assertEquals([res.headers.get("x-cache"), res.body.cached], ["HIT", true]);
  });

  await s.step("an admin change drops the cache; incidents raise the overall state", async () => {
    await call(t, "POST", "/admin/incidents", {
      token: admin,
      body: { title: "Lentitud", severity: "minor", message: "Mirando" },
    });
    let res = await call(t, "GET", "/api/status");
    assertEquals([res.headers.get("x-cache"), res.body.overall_status], ["MISS", "degraded"]);
    assertEquals(res.body.active_incidents[0].updates.map((u: { message: string }) => u.message), [
      "Mirando",
    ]);
    await call(t, "POST", "/admin/incidents", {
      token: admin,
      body: { title: "Caída", severity: "critical", message: "Caído" },
    });
    res = await call(t, "GET", "/api/status");
    assertEquals(res.body.overall_status, "major_outage");
  });

  await s.step("scheduled and running maintenance are listed by start with their services", async () => {
    const start = new Date(Date.now() + HOUR).toISOString();
    const end = new Date(Date.now() + 2 * HOUR).toISOString();
    await call(t, "POST", "/admin/maintenance", {
      token: admin,
      body: { title: "Ventana", scheduled_start: start, scheduled_end: end, service_ids: [3] },
    });
    const res = await call(t, "GET", "/api/status");
    assertEquals(res.body.scheduled_maintenances.map((m: { title: string }) => m.title), ["Ventana"]);
    assertEquals(res.body.scheduled_maintenances[0].affected_services, ["PostgreSQL"]);
  });

  await s.step("other methods are 405 (HEAD included)", async () => {
    for (const method of ["POST", "PUT", "DELETE"]) {
      assertError(await call(t, method, "/api/status", { body: {} }), 405, "Method not allowed");
    }
    assertEquals((await call(t, "HEAD", "/api/status")).status, 405);
  });
});

Deno.test("uptime figures leave out samples inside a maintenance window of that service", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  // 10 hourly samples of PostgreSQL, the 4 oldest failed; Redis the same.
  const rows = await samples(t, "PostgreSQL", 10, 4);
  await samples(t, "Redis", 10, 4);
  // A window over the failed PostgreSQL samples only (linked to PostgreSQL, id 3).
  await call(t, "POST", "/admin/maintenance", {
    token: admin,
    body: {
      title: "DB upgrade",
      scheduled_start: new Date(rows[0].checked_at.getTime() - 60_000).toISOString(),
      scheduled_end: new Date(rows[3].checked_at.getTime() + 60_000).toISOString(),
      service_ids: [3],
    },
  });
  const res = await call(t, "GET", "/api/status");
  assertEquals(res.body.uptime.PostgreSQL, 100);
  assertEquals(res.body.uptime.Redis, 60);
  assert(res.body.response_time_history.Redis.length >= 9);
  assert(res.body.uptime_daily.Redis.every((d: { pct: number }) => d.pct <= 100));
});

Deno.test("GET /api/status/sla answers the month per service as JSON and CSV, maintenance excluded", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const end = Date.UTC(2026, 3, 20, 12);
  const rows = await samples(t, "Evolution API", 8, 2, end);
  await samples(t, "Gateway", 8, 0, end);
  await call(t, "POST", "/admin/maintenance", {
    token: admin,
    body: {
      title: "Motor",
      scheduled_start: rows[0].checked_at.toISOString(),
      scheduled_end: rows[0].checked_at.toISOString(),
    },
  });

  await s.step("JSON: the window (no services = all) removes one sample of each", async () => {
    const res = await call(t, "GET", "/api/status/sla?month=2026-04");
    assertEquals(res.body.month, "2026-04");
    assertEquals(
      res.body.services.map((r: Record<string, unknown>) => [r.service, r.checks, r.excluded, r.uptime]),
      [["Gateway", 7, 1, 100], ["Evolution API", 7, 1, 85.71]],
    );
  });

  await s.step("CSV download with a header line", async () => {
    const res = await fetch(`${t.url}/api/status/sla.csv?month=2026-04`);
    assertEquals(res.headers.get("content-disposition"), "attachment; filename=sla_2026-04.csv");
    const lines = (await res.text()).trim().split("\n");
    assertEquals(lines[0], "month,service,uptime_pct,checks,excluded_maintenance_checks,avg_response_ms");
    assertEquals(lines[2].split(",").slice(0, 5), ["2026-04", "Evolution API", "85.71", "7", "1"]);
  });

  await s.step("a bad month is a 400; an empty month is an empty report", async () => {
    for (const month of ["2026-13", "april", "2026-4"]) {
      assertError(await call(t, "GET", `/api/status/sla?month=${month}`), 400, "month must be YYYY-MM");
    }
    assertEquals((await call(t, "GET", "/api/status/sla?month=2020-01")).body.services, []);
  });
});

Deno.test("GET /api/status limits each client address per second with a 429", async () => {
  await using t = await startTestApp();
  const hit = (ip: string) => call(t, "GET", "/api/status", { headers: { "x-forwarded-for": ip } });
  const answers = await Promise.all(Array.from({ length: 30 }, () => hit("203.0.113.9")));
  const limited = answers.filter((a) => a.status === 429);
  assert(limited.length >= 10 - 1, `${limited.length} limited`);
  assertError(limited[0], 429, "Too many requests");
  assertEquals((await hit("203.0.113.10")).status, 200);
});
