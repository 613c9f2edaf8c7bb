import type { Page } from "puppeteer-core";
import { assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { assertNoBrowserErrors, browserTest, openPanelPage } from "./_chromium.ts";

const HYDRATED = '[data-island="ThemeToggle"] button[data-hydrated="true"]';
const htmlTheme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme);
/** Set SCREENSHOT_DIR to keep pictures of the panel in both themes. */
const SCREENSHOT_DIR = Deno.env.get("SCREENSHOT_DIR");

await browserTest(
  "ThemeToggle hydrates, flips the theme on <html> and the server paints it after a reload",
  async () => {
    await using app = await startTestApp();
    await using browser = await openPanelPage(800);
    const { page, problems } = browser;

    // The login page: public, and it carries the same header controls as every other page.
    const first = await page.goto(`${app.url}/panel/login`, { waitUntil: "load" });
    assertEquals(first?.status(), 200);
    await page.waitForSelector(HYDRATED, { timeout: 10_000 });
    assertEquals(await htmlTheme(page), "system");
    // The island renders its label with the shared i18n table, in the page's language.
    const label = await page.$eval(HYDRATED, (b) => b.getAttribute("aria-label"));
    assertEquals(label, "Cambiar entre tema claro y oscuro");
    if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/panel-light.png` });

    await page.click(HYDRATED);
    assertEquals(await htmlTheme(page), "dark");
    const cookie = (await page.cookies()).find((c) => c.name === "theme");
    assertEquals(cookie?.value, "dark");
    assertEquals(cookie?.path, "/");

    // The server, not a script, must paint the saved theme: check the HTML it sent.
    const reloaded = await page.reload({ waitUntil: "load" });
    assertStringIncludes(await reloaded!.text(), 'data-theme="dark"');
    await page.waitForSelector(HYDRATED, { timeout: 10_000 });
    assertEquals(await htmlTheme(page), "dark");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assertEquals(background, "rgb(18, 18, 18)");
    if (SCREENSHOT_DIR) await page.screenshot({ path: `${SCREENSHOT_DIR}/panel-dark.png` });

    await page.click(HYDRATED);
    assertEquals(await htmlTheme(page), "light");
    const back = await page.reload({ waitUntil: "load" });
    assertStringIncludes(await back!.text(), 'data-theme="light"');

    assertNoBrowserErrors(problems);
  },
);
