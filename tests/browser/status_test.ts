import type { Page } from "puppeteer-core";
import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { runUptime } from "../../lib/status/mod.ts";
import { startTestApp } from "../_helpers/app.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  fill,
  firstSignIn,
  hydrated,
  openPanelPage,
  shot,
} from "./_chromium.ts";

/** Sets a controlled input that page.type cannot fill (datetime-local) and fires its input event. */
async function setValue(page: Page, selector: string, value: string) {
  await page.$eval(selector, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = v as string;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

/** `datetime-local` text for `ms` from now, in the browser's zone (the test runs with the server's). */
const localInput = (ms: number) => {
  const d = new Date(Date.now() + ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
};

await browserTest(
  "status in Chromium: an admin declares an incident and schedules maintenance; /status/ shows both",
  async () => {
    await using app = await startTestApp();
    await using browser = await openPanelPage(900);
    const { page, problems } = browser;

    await page.goto(`${app.url}/panel/admin/status`, { waitUntil: "load" });
    await firstSignIn(page, app.admin.username, app.admin.password, "Nuev0-Admin-Pass");
    assertEquals(new URL(page.url()).pathname, "/panel/admin/status");
    await page.waitForSelector(hydrated("StatusAdmin"));

    // Admin → Status management: declare an incident affecting the engine.
    const inc = '[data-form="incident"]';
    await fill(page, `${inc} input[name="title"]`, "Demoras al enviar");
    await page.select(`${inc} select[name="severity"]`, "major");
    await fill(page, `${inc} input[name="message"]`, "Estamos investigando demoras");
    const engineBox = await page.$$(`${inc} input[type="checkbox"]`);
    await engineBox[1].click();
    await page.click(`${inc} button[type="submit"]`);
    await page.waitForSelector("[data-incident]");

    // Then a timeline update on it.
    await page.select('[data-incident] select[name="update-status"]', "monitoring");
    await fill(page, '[data-incident] input[name="update-message"]', "Aplicamos una corrección");
    await page.click('[data-incident] [data-form="update"] button[type="submit"]');
    await page.waitForFunction(() =>
      document.querySelector("[data-incident]")?.textContent?.includes("Aplicamos")
    );

    // And a maintenance window starting in an hour.
    const mnt = '[data-form="maintenance"]';
    await fill(page, `${mnt} input[name="title"]`, "Actualización del motor");
    await fill(page, `${mnt} input[name="description"]`, "Reinicio planificado");
    await setValue(page, `${mnt} input[name="start"]`, localInput(3_600_000));
    await setValue(page, `${mnt} input[name="end"]`, localInput(7_200_000));
    await page.click(`${mnt} button[type="submit"]`);
    await page.waitForSelector("[data-maintenance]");
    await shot(page, "status-admin");

    // One uptime tick, so the page has samples (bars, response times, this month's SLA row).
    await runUptime(app.deps);

    // The public page: maintenance banner, the incident with its timeline (newest first), the overall state.
    await page.goto(`${app.url}/status/`, { waitUntil: "load" });
    const banner = await page.$eval("[data-maintenance]", (e) => e.textContent ?? "");
    assertStringIncludes(banner, "Mantenimiento programado");
    assertStringIncludes(banner, "Actualización del motor");
    const incident = await page.$eval(
      '[data-incidents="active"] [data-incident]',
      (e) => e.textContent ?? "",
    );
    assertStringIncludes(incident, "Demoras al enviar");
    assertStringIncludes(incident, "Afecta a: Evolution API");
    const steps = await page.$$eval(
      '[data-incidents="active"] [data-update-status]',
      (els) => els.map((e) => e.getAttribute("data-update-status")),
    );
    assertEquals(steps, ["monitoring", "investigating"]);
    assertEquals(await page.$eval("[data-overall]", (e) => e.getAttribute("data-overall")), "partial_outage");
    // The SLA chart island drew its canvas (uPlot, bundled; the CSP allows no CDN).
    await page.waitForSelector("[data-sla] canvas, [data-sla] [data-chart-ready]");

    const dir = Deno.env.get("SCREENSHOT_DIR") ?? await Deno.makeTempDir({ prefix: "status-shot-" });
    const file = `${dir}/status-page.png`;
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    assert((await Deno.stat(file)).size > 10_000, "screenshot saved");
    console.log(`status page screenshot: ${file}`);
    assertNoBrowserErrors(problems);
  },
);
