// Admin → Workers, Backups and Sessions pages: server-rendered in Spanish and English with their islands'
// first data, admin only.
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";

Deno.test("panel: Workers, Backups and Sessions admin pages render for admins in es/en; users get 403", async () => {
  await using t = await startTestApp();
  const admin = await panelUser(t, "ops_admin", { role: "admin" });
  const user = await panelUser(t, "ops_user");
  const page = async (path: string, cookie: string, status = 200) => {
    const res = await fetch(`${t.url}${path}`, { headers: { cookie } });
    const html = await res.text();
    assertEquals(res.status, status, path);
    return html;
  };
  const pages: [string, string, string, string][] = [
    ["/panel/admin/workers", "WorkersAdmin", "Procesos en segundo plano", "Background workers"],
    ["/panel/admin/backups", "BackupsAdmin", "Copias de seguridad", "Backups"],
    ["/panel/admin/sessions", "SessionsAdmin", "Sesiones de todos los usuarios", "Sessions of every user"],
  ];
  for (const [path, island, es, en] of pages) {
    assertStringIncludes(await page(path, `${admin.cookie}; lang=es`), es);
    const html = await page(path, `${admin.cookie}; lang=en`);
    assertStringIncludes(html, en);
    const props = islandProps(html, island);
    assertEquals(props.locale, "en");
    assertStringIncludes(await page(path, user.cookie, 403), "data-forbidden");
  }
  const workers = islandProps(await page("/panel/admin/workers", admin.cookie), "WorkersAdmin");
  assertEquals((workers.workers as { name: string }[]).map((w) => w.name), [
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
  const sessions = islandProps(
    await page(`/panel/admin/sessions?user_id=${user.id}`, admin.cookie),
    "SessionsAdmin",
  );
  const rows = (sessions.initial as { sessions: { username: string }[] }).sessions;
  assertEquals(rows.map((s) => s.username), ["ops_user"]);
  assertEquals(sessions.filters, { user_id: String(user.id) });
  const names = (sessions.users as { username: string }[]).map((u) => u.username);
  assert(names.includes("ops_admin") && names.includes("ops_user"));
  const backups = islandProps(await page("/panel/admin/backups", admin.cookie), "BackupsAdmin");
  assertEquals(backups.backups, []);
  const home = await page("/panel/", admin.cookie);
  for (const p of ["/panel/admin/workers", "/panel/admin/backups", "/panel/admin/sessions"]) {
    assertStringIncludes(home, `href="${p}"`);
  }
});
