import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { ensureIslandBundle, silentLogger } from "../../lib/core/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";

/** Debian's Chromium; the browser tests need it and skip (loudly) without it. */
export const CHROMIUM = "/usr/bin/chromium";

/** True when the browser binary is installed; prints a banner explaining the skip when it is not. */
export async function chromiumAvailable(): Promise<boolean> {
  const found = await Deno.stat(CHROMIUM).then((i) => i.isFile, () => false);
  if (!found) {
    console.error(
      `\n%c!!! BROWSER TESTS SKIPPED: ${CHROMIUM} is missing. Install it: apt-get install -y chromium !!!\n`,
      "color: red; font-weight: bold",
    );
  }
  return found;
}

/** A browser test: skipped (loudly) without Chromium; the island bundle is built before it runs. */
export async function browserTest(name: string, fn: () => Promise<void>) {
  Deno.test({
    name,
    ignore: !(await chromiumAvailable()),
    async fn() {
      await ensureIslandBundle(silentLogger);
      await fn();
    },
  });
}

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a throwaway profile. The DevTools connection goes over a pipe rather
 * than a WebSocket: no port to discover, and no dependence on Node's `ws` behaving under Deno.
 */
export async function launchChromium(): Promise<Chromium> {
  const profile = await Deno.makeTempDir({ prefix: "taguato-chromium-" });
  try {
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      pipe: true,
      userDataDir: profile,
      headless: true,
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    });
    return {
      browser,
      async close() {
        try {
          await browser.close();
        } finally {
          await Deno.remove(profile, { recursive: true }).catch(() => {});
        }
      },
    };
  } catch (err) {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Selector of an island once it has hydrated (islands set data-hydrated after mount). */
export const hydrated = (island: string) => `[data-island="${island}"] [data-hydrated="true"]`;

/** The page's current path. */
export const path = (page: Page) => new URL(page.url()).pathname;

/** Types into an empty field (the islands' inputs are controlled; typing fires real input events). */
export async function fill(page: Page, selector: string, text: string) {
  await page.waitForSelector(selector, { visible: true });
  await page.$eval(selector, (el) => (el as HTMLInputElement).select?.());
  await page.type(selector, text);
}

/** Clicks something that makes the page navigate, and waits for the new page to load. */
export async function clickAndLoad(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

/** Saves a full-page screenshot when SCREENSHOT_DIR is set (to look at the pages a test walked through). */
export async function shot(page: Page, name: string) {
  const dir = Deno.env.get("SCREENSHOT_DIR");
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

export interface PanelPage {
  page: Page;
  /** Everything the page logged as an error (a CSP violation, a failed hydration, a 4xx fetch). */
  problems: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Chromium with one page as a visitor from Paraguay sees the panel: light colour scheme, Spanish, and
 * a desktop window `height` pixels tall. `await using p = await openPanelPage(860)` closes the browser.
 */
export async function openPanelPage(height: number): Promise<PanelPage> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    const problems: string[] = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
    await page.setViewport({ width: 1280, height });
    await page.setExtraHTTPHeaders({ "accept-language": "es-PY,es;q=0.9" });
    return { page, problems, [Symbol.asyncDispose]: () => chromium.close() };
  } catch (err) {
    await chromium.close();
    throw err;
  }
}

/** Fails the test when the page logged any error. */
export function assertNoBrowserErrors(problems: string[]) {
  assert(problems.length === 0, `browser errors:\n${problems.join("\n")}`);
}

/** From the login page: username and password, submitted; returns once the next page (or step) is there. */
export async function login(
  page: Page,
  username: string,
  password: string,
  opts: { expectTotp?: boolean } = {},
) {
  await page.waitForSelector(hydrated("LoginForm"));
  await fill(page, 'input[name="username"]', username);
  await fill(page, 'input[name="password"]', password);
  if (opts.expectTotp) {
    await page.click('[data-island="LoginForm"] button[type="submit"]');
    await page.waitForSelector('[data-login-step="totp"] input[name="totp_code"]');
  } else {
    await clickAndLoad(page, '[data-island="LoginForm"] button[type="submit"]');
  }
}

/** On the forced change-password page: current, new twice; lands back on the login page. */
export async function forcedChange(page: Page, current: string, next: string) {
  assertEquals(path(page), "/panel/change-password");
  await page.waitForSelector(hydrated("ChangePasswordForm"));
  await fill(page, 'input[name="current_password"]', current);
  await fill(page, 'input[name="new_password"]', next);
  await fill(page, 'input[name="confirm_password"]', next);
  await clickAndLoad(page, '[data-form="change-password"] button[type="submit"]');
  assertEquals(path(page), "/panel/login");
  assertStringIncludes(await page.content(), "Contraseña cambiada");
}

/** A first sign-in: the initial password, the forced change to `next`, and signing in again with it. */
export async function firstSignIn(page: Page, username: string, initial: string, next: string) {
  await login(page, username, initial);
  await forcedChange(page, initial, next);
  await login(page, username, next);
}

/** Waits for the field error the page shows in form `form` (a `data-form` name) and returns its text. */
export async function fieldError(page: Page, form: string): Promise<string> {
  const selector = `[data-form="${form}"] .field-error`;
  await page.waitForSelector(selector);
  return await page.$eval(selector, (e) => e.textContent ?? "");
}
