// The public status page (/status/) rendered by the real gateway: banners, incidents with their
// timeline, 90-day bars, the SLA report, both languages, and the 301 from /status.
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { adminLogin, call } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";

Deno.test("GET /status/ renders maintenance, incidents with their timeline, bars and the SLA report", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  await call(t, "POST", "/admin/maintenance", {
    token: admin,
    body: {
      title: "Migración de base",
      scheduled_start: new Date(Date.now() + 3_600_000).toISOString(),
      scheduled_end: new Date(Date.now() + 7_200_000).toISOString(),
      service_ids: [3],
    },
  });
  const created = await call(t, "POST", "/admin/incidents", {
    token: admin,
    body: {
      title: "Demoras en envíos",
      severity: "major",
      message: "Investigando la cola",
      service_ids: [2],
    },
  });
  await call(t, "POST", `/admin/incidents/${created.body.incident.id}/updates`, {
    token: admin,
    body: { status: "identified", message: "Causa encontrada" },
  });

  await s.step("/status redirects to /status/", async () => {
    const res = await fetch(`${t.url}/status`, { redirect: "manual" });
    await res.body?.cancel();
    assertEquals([res.status, res.headers.get("location")], [301, "/status/"]);
  });

  await s.step(
    "Spanish by default: banner, overall state, timeline newest first, 90 bars per service",
    async () => {
      const res = await fetch(`${t.url}/status/`);
      assertEquals(res.status, 200);
      assert(res.headers.get("content-security-policy")?.includes("script-src 'self'"));
      const html = await res.text();
      assertStringIncludes(html, "Mantenimiento programado");
      assertStringIncludes(html, "Migración de base");
      assertStringIncludes(html, 'data-overall="partial_outage"');
      assertStringIncludes(html, "Interrupción parcial");
      const timeline = html.slice(html.indexOf("Demoras en envíos"));
      assert(timeline.indexOf("Causa encontrada") < timeline.indexOf("Investigando la cola"), "newest first");
      assertEquals(html.match(/class="status-bar /g)?.length, 4 * 90);
      assertStringIncludes(html, "Informe SLA mensual");
      assertStringIncludes(html, "/api/status/sla.csv?month=");
    },
  );

  await s.step("?lang=en renders English", async () => {
    const html = await (await fetch(`${t.url}/status/?lang=en`)).text();
    assertStringIncludes(html, "Scheduled maintenance");
    assertStringIncludes(html, "Partial outage");
    assertStringIncludes(html, 'lang="en"');
  });

  await s.step("a resolved incident moves to the history", async () => {
    await call(t, "POST", `/admin/incidents/${created.body.incident.id}/updates`, {
      token: admin,
      body: { status: "resolved", message: "Normalizado" },
    });
    const html = await (await fetch(`${t.url}/status/`)).text();
    assertStringIncludes(html, 'data-incidents="past"');
    assert(!html.includes('data-incidents="active"'));
    assertStringIncludes(html, 'data-overall="operational"');
  });

  await s.step("the page's stylesheet is served", async () => {
    const html = await (await fetch(`${t.url}/status/`)).text();
    const href = html.match(/href="(\/panel\/static\/status\.css[^"]*)"/)?.[1];
    assert(href, "status.css linked");
    const css = await fetch(`${t.url}${href!.replaceAll("&amp;", "&")}`);
    assertEquals(css.status, 200);
    assertStringIncludes(await css.text(), ".status-bar");
  });
});

Deno.test("panel Admin → Dashboard and Status management render for admins only", async (s) => {
  await using t = await startTestApp();
  const admin = await panelUser(t, "ops_admin", { role: "admin" });
  const user = await panelUser(t, "ops_user");
  await t.deps.sql`
    INSERT INTO taguato.incidents (title, severity) VALUES ('Incidente de prueba', 'minor')`;
  const page = (path: string, cookie: string) => fetch(`${t.url}${path}`, { headers: { cookie } });

  await s.step("dashboard: tiles and the sends chart; the nav lists both pages", async () => {
    const res = await page("/panel/admin/dashboard", admin.cookie);
    assertEquals(res.status, 200);
    const html = await res.text();
    assertStringIncludes(html, "data-dashboard");
    assertEquals((islandProps(html, "StatusChart").x as number[]).length, 7);
    assertStringIncludes(html, 'href="/panel/admin/status"');
  });

  await s.step("status management: the island gets services and incidents", async () => {
    const html = await (await page("/panel/admin/status", admin.cookie)).text();
    const props = islandProps(html, "StatusAdmin");
    assertEquals((props.services as unknown[]).length, 4);
    assertEquals((props.incidents as { title: string }[])[0].title, "Incidente de prueba");
  });

  await s.step("a non-admin gets 403 on both", async () => {
    for (const path of ["/panel/admin/dashboard", "/panel/admin/status"]) {
      const res = await page(path, user.cookie);
      await res.body?.cancel();
      assertEquals(res.status, 403);
    }
  });
});
