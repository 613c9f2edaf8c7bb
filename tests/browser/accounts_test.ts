import type { Page } from "puppeteer-core";
import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { totpAt, totpStep } from "../../lib/auth/mod.ts";
import { startTestApp } from "../_helpers/app.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  clickAndLoad,
  fill,
  firstSignIn,
  hydrated,
  login,
  openPanelPage,
  path,
  shot,
} from "./_chromium.ts";

async function logout(page: Page) {
  await page.waitForSelector('[data-island="LogoutButton"] button[data-logout]');
  // The button works once hydrated; give the bundle the same wait every island gets.
  await page.waitForFunction(() => !!document.querySelector("[data-hydrated]"));
  await clickAndLoad(page, "[data-logout]");
  assertEquals(path(page), "/panel/login");
}

await browserTest(
  "accounts in Chromium: forced change, admin creates a user, the user turns on 2FA and signs in with it",
  async () => {
    await using app = await startTestApp();
    await using browser = await openPanelPage(860);
    const { page, problems } = browser;

    // 1. The bootstrap admin: the panel sends them to login, then to the forced password change.
    const { username: adminName, password: adminInitial } = app.admin;
    const adminPassword = "Nuev0-Admin-Pass";
    await page.goto(`${app.url}/panel/admin/users`, { waitUntil: "load" });
    assertEquals(path(page), "/panel/login");
    await page.waitForSelector(hydrated("LoginForm"));
    await shot(page, "login");
    await firstSignIn(page, adminName, adminInitial, adminPassword);
    // `next` survived the detour: back on the page first asked for.
    assertEquals(path(page), "/panel/admin/users");

    // 2. Admin → Users: create "maria" in the dialog; the new row appears without a reload.
    await page.waitForSelector(hydrated("UsersAdmin"));
    await page.click('[data-action="create-user"]');
    await page.waitForSelector('dialog[open] [data-form="create-user"]');
    const mariaInitial = "Inicial-2024x";
    await fill(page, 'dialog[open] input[name="username"]', "maria");
    await fill(page, 'dialog[open] input[name="password"]', mariaInitial);
    await fill(page, 'dialog[open] input[name="max_instances"]', "3");
    await fill(page, 'dialog[open] input[name="email"]', "maria@example.com");
    await page.click('dialog[open] [data-action="save-user"]');
    await page.waitForSelector('[data-user-row="maria"]');
    await page.waitForSelector("dialog[open]", { hidden: true });
    const row = await page.$eval('[data-user-row="maria"]', (tr) => tr.textContent ?? "");
    assertStringIncludes(row, "maria@example.com");
    assertStringIncludes(row, "Cambio de contraseña pendiente");
    await shot(page, "users");
    await logout(page);

    // 3. Maria signs in with the password the admin gave her and must choose her own.
    const mariaPassword = "Mi-Clave-Segura9";
    await firstSignIn(page, "maria", mariaInitial, mariaPassword);
    assertEquals(path(page), "/panel/");
    const sidebar = await page.$eval("nav.sidebar", (n) => n.textContent ?? "");
    assert(!sidebar.includes("Usuarios"), "a user sees no admin entries");

    // 4. Security: set up 2FA with the secret shown on the page, keep the 10 recovery codes.
    await clickAndLoad(page, 'nav.sidebar a[href="/panel/security"]');
    await page.waitForSelector(hydrated("TwoFactor"));
    await page.click("[data-tfa-start]");
    await page.waitForSelector("[data-totp-secret]");
    await page.waitForFunction(() => (document.querySelector(".tfa-qr img") as HTMLImageElement)?.complete);
    const secret = await page.$eval("[data-totp-secret]", (el) => el.getAttribute("data-totp-secret")!);
    assert(/^[A-Z2-7]{32}$/.test(secret), secret);
    const qr = await page.$eval(".tfa-qr img", (img) => (img as HTMLImageElement).naturalWidth);
    assert(qr > 0, "the QR image loaded (data: URLs are allowed by the CSP)");
    await shot(page, "security-setup");
    const enableStep = totpStep(Date.now());
    await fill(page, '.tfa-setup input[name="code"]', await totpAt(secret, Date.now()));
    await page.click("[data-tfa-confirm]");
    await page.waitForSelector("[data-recovery-codes]");
    const codes = await page.$$eval(".code-grid code", (els) => els.map((e) => e.textContent));
    assertEquals(codes.length, 10);
    assertEquals(new Set(codes).size, 10);
    await shot(page, "security-codes");
    await page.click("[data-recovery-codes] .check-field input");
    await page.click("[data-tfa-done]");
    await page.waitForSelector('[data-tfa-state="on"]');
    assertEquals(await page.$eval("[data-tfa-badge]", (b) => b.textContent), "Activada");
    await logout(page);

    // 5. Sign in again: password, then a fresh code. A code from the step used to enable 2FA would be a
    // replay, so wait for the next 30 s step when needed.
    await login(page, "maria", mariaPassword, { expectTotp: true });
    while (totpStep(Date.now()) <= enableStep) await new Promise((r) => setTimeout(r, 250));
    await fill(page, 'input[name="totp_code"]', await totpAt(secret, Date.now()));
    await clickAndLoad(page, '[data-island="LoginForm"] button[type="submit"]');
    assertEquals(path(page), "/panel/");
    assertEquals(await page.$eval(".user-menu", (m) => m.getAttribute("data-user")), "maria");
    assertStringIncludes(await page.content(), "Hola, maria");

    // Security shows 2FA as on after a reload: the state comes from the server.
    await page.goto(`${app.url}/panel/security`, { waitUntil: "load" });
    await page.waitForSelector('[data-tfa-state="on"]');
    await shot(page, "security");

    assertNoBrowserErrors(problems);
  },
);
