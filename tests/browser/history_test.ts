import { assert, assertEquals } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { panelUser } from "../_helpers/panel_session.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  fill,
  hydrated,
  login,
  openPanelPage,
  shot,
} from "./_chromium.ts";

await browserTest(
  "history and dashboard in Chromium: the chart draws under the CSP, its range refetches, search filters",
  async () => {
    await using app = await startTestApp();
    await using browser = await openPanelPage(900);
    const { page, problems } = browser;
    const ana = await panelUser(app, "hist_ana");
    await app.db.sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, body_text, created_at)
      SELECT ${ana.id}, 'ana-wa', '59598100' || lpad(g::text, 4, '0'),
        (ARRAY['read', 'delivered', 'failed'])[1 + g % 3],
        CASE WHEN g = 7 THEN 'Hola Perla, su pedido' ELSE 'Mensaje ' || g END,
        now() - g * interval '5 hours'
      FROM generate_series(1, 60) AS g`;

    await page.goto(`${app.url}/panel/dashboard`, { waitUntil: "load" });
    await login(page, ana.username, ana.password);
    await page.waitForSelector(hydrated("UserDashboard"));
    // Chart.js drew something: some pixel of the canvas is not transparent.
    await page.waitForFunction(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-island="UserDashboard"] canvas');
      const data = c?.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
      return !!data && data.some((v, i) => i % 4 === 3 && v > 0);
    });
    assertEquals(await page.$$eval("[data-dashboard-days] tr", (rows) => rows.length), 7);
    await page.click('[data-range="30"]');
    await page.waitForFunction(() => document.querySelectorAll("[data-dashboard-days] tr").length === 30);
    await shot(page, "dashboard");

    await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
    await page.waitForSelector(hydrated("MessageHistory"));
    await fill(page, '[data-island="MessageHistory"] input[name="q"]', "perla");
    await page.click('[data-island="MessageHistory"] form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll("[data-log-id]").length === 1);
    const text = await page.$eval("[data-log-id]", (tr) => tr.textContent ?? "");
    assert(text.includes("Hola Perla"), text);
    const href = await page.$eval('[data-action="export"]', (a) => a.getAttribute("href"));
    assertEquals(href, "/api/messages/export?q=perla");
    assertNoBrowserErrors(problems);
  },
);
