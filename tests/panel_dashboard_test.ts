/**
 * The "My dashboard" panel page (server-rendered): both languages, the caller's own numbers only, the
 * quota bars from the admin's caps, and the chart island's props (same data as /api/user/dashboard).
 */
import { setQuotaLimits } from "../lib/messaging/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";

Deno.test("GET /panel/dashboard: my counts, quota bars and chart data, in Spanish and English", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const ana = await panelUser(app, "dash_ana");
  const beto = await panelUser(app, "dash_beto");
  const { sql } = app.db;
  await sql`INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
    VALUES (${ana.id}, 'ana-wa', '595981000002', 'read'), (${ana.id}, 'ana-wa', '595981000003', 'failed'),
           (${beto.id}, 'beto-wa', '595981000004', 'read')`;
  await setQuotaLimits(sql, ana.id, { daily: 10, monthly: null });
  await sql`UPDATE taguato.user_quotas SET day = (now() AT TIME ZONE 'UTC')::date, day_used = 8
    WHERE user_id = ${ana.id}`;
  const page = async (cookie: string) => {
    const res = await fetch(`${app.url}/panel/dashboard`, { headers: { cookie }, redirect: "manual" });
    const html = await res.text();
    assertEquals(res.status, 200, html.slice(0, 200));
    return html;
  };

  await t.step("Spanish: title, nav entry, counts, quota bar at 80 %", async () => {
    const html = await page(`${ana.cookie}; lang=es`);
    assertStringIncludes(html, "<h1>Mi panel</h1>");
    assertStringIncludes(html, 'href="/panel/dashboard" class="nav-link" aria-current="page"');
    assertStringIncludes(html, "8 de 10 (80 %)");
    assertStringIncludes(html, 'max="10" value="8"');
    assertStringIncludes(html, "enviados, sin límite");
    assert(!/\son[a-z]+=/i.test(html), "no inline handlers");
    const props = islandProps(html, "UserDashboard");
    const days = props.daily as { count: number; read_rate: number }[];
    assertEquals(days.length, 7);
    assertEquals([days[6].count, days[6].read_rate], [2, 50]);
  });

  await t.step("English, and another user sees only their own", async () => {
    const html = await page(`${beto.cookie}; lang=en`);
    assertStringIncludes(html, "<h1>My dashboard</h1>");
    assertStringIncludes(html, "Message quota");
    const days = islandProps(html, "UserDashboard").daily as { count: number }[];
    assertEquals(days[6].count, 1);
  });

  await t.step("signed out: to the login page", async () => {
    const res = await fetch(`${app.url}/panel/dashboard`, { redirect: "manual" });
    await res.body?.cancel();
    assertEquals(res.status, 302);
  });
});
