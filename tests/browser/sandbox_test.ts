import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  clickAndLoad,
  fill,
  firstSignIn,
  hydrated,
  openPanelPage,
  path,
  shot,
} from "./_chromium.ts";

await browserTest(
  "sandbox mode in Chromium: a newcomer links instances with “Simulate scan” and sends, all from the browser",
  async () => {
    // `deno task start` without EVOLUTION_API_URL: the sandbox engine, whose every request is logged.
    // Receipts: delivered 150 ms after the send, read only after a minute.
    const engineLog: string[] = [];
    await using app = await startTestApp({
      sandbox: { ackDelaysMs: [50, 100, 60_000], log: (line) => engineLog.push(line) },
    });
    await using browser = await openPanelPage(900);
    const { page, problems } = browser;
    // Everything the browser asked for, and every answer that was an error (a missing favicon too).
    const requested: string[] = [];
    const failed: string[] = [];
    page.on("request", (r) => requested.push(r.url()));
    page.on("response", (r) => r.status() >= 400 && failed.push(`${r.status()} ${r.url()}`));

    // 1. Sign in as the bootstrap admin; the sandbox banner says there is no real WhatsApp.
    const password = "Nuev0-Admin-Pass";
    await page.goto(`${app.url}/panel/instances`, { waitUntil: "load" });
    await firstSignIn(page, app.admin.username, app.admin.password, password);
    assertEquals(path(page), "/panel/instances");
    await page.waitForSelector("[data-sandbox-banner]");
    await page.waitForSelector(hydrated("Instances"));
    assertStringIncludes(await page.$eval(".empty-state", (e) => e.textContent ?? ""), "Simular escaneo");

    // 2. Create an instance and connect it by QR: the dialog offers to play the phone.
    await fill(page, 'input[name="instance_name"]', "demo");
    await page.click('[data-form="create-instance"] button[type="submit"]');
    await page.waitForSelector('[data-instance-row="demo"] [data-state="close"]');
    await page.click('[data-instance-row="demo"] [data-action="connect"]');
    await page.waitForSelector("dialog[open] img[data-qr]");
    const button = 'dialog[open] [data-action="simulate-scan"]';
    assertEquals(await page.$eval(button, (b) => b.textContent), "Simular escaneo");
    await shot(page, "sandbox-connect");
    await page.click(button);
    await page.waitForSelector('[data-connect-state="open"]', { timeout: 10_000 });
    await page.waitForSelector('[data-instance-row="demo"] [data-state="open"]');
    await page.click('[data-action="connect-done"]');
    await page.waitForSelector("dialog[open]", { hidden: true });

    // 3. A second one by pairing code: the sandbox "types" the code on the phone of that number.
    await fill(page, 'input[name="instance_name"]', "demo-codigo");
    await page.click('[data-form="create-instance"] button[type="submit"]');
    await page.waitForSelector('[data-instance-row="demo-codigo"] [data-state="close"]');
    await page.click('[data-instance-row="demo-codigo"] [data-action="connect"]');
    await page.waitForSelector('dialog[open] [data-mode="code"]');
    await page.click('dialog[open] [data-mode="code"]');
    await fill(page, 'dialog[open] input[name="pairing_phone"]', "595981111222");
    await page.click('dialog[open] [data-action="get-code"]');
    await page.waitForSelector("dialog[open] [data-pairing-code]", { timeout: 10_000 });
    assertEquals(await page.$eval(button, (b) => b.textContent), "Simular ingreso del código");
    await shot(page, "sandbox-pairing");
    await page.click(button);
    await page.waitForSelector('[data-connect-state="open"]', { timeout: 10_000 });
    await page.click('[data-action="connect-done"]');
    await page.waitForSelector("dialog[open]", { hidden: true });
    await page.waitForFunction(
      () =>
        document.querySelector('[data-instance-row="demo-codigo"]')?.textContent?.includes("+595981111222"),
      { timeout: 15_000 },
    );
    await shot(page, "sandbox-instances");

    // 4. Send a message from the first one and watch it reach "delivered" in the history.
    await clickAndLoad(page, 'nav.sidebar a[href="/panel/messages"]');
    await page.waitForSelector(hydrated("MessageComposer"));
    await page.waitForSelector(hydrated("MessageHistory"));
    await page.select('select[name="instance"]', "demo");
    await fill(page, 'input[name="number"]', "+595 981 000 111");
    await page.type("#message-text", "Hola desde el sandbox");
    await page.click('[data-action="send"]');
    await page.waitForSelector('[data-form="send-message"] .alert-success');
    await page.waitForSelector('[data-table="history"] tr[data-log-status="delivered"]', { timeout: 20_000 });
    const row = await page.$eval('[data-table="history"] tbody tr', (tr) => tr.textContent ?? "");
    assertStringIncludes(row, "595981000111");
    assertStringIncludes(row, "Entregado");
    assertStringIncludes(row, "demo");
    await shot(page, "sandbox-messages");

    // Nothing outside the browser: the page only ever talked to the gateway, and the test never called
    // the sandbox's control routes, so both scans the engine saw came from the gateway's sandbox route.
    const foreign = requested.filter((u) => !u.startsWith(`${app.url}/`) && !u.startsWith("data:"));
    assertEquals(foreign, []);
    assertEquals(engineLog.filter((l) => l.startsWith("POST /_sandbox/")).map((l) => l.split(" -> ")[0]), [
      "POST /_sandbox/instances/demo/scan",
      "POST /_sandbox/instances/demo-codigo/scan",
    ]);
    assert(requested.some((u) => u.endsWith("/api/sandbox/instances/demo/scan")));
    assertEquals(failed, []);
    assertNoBrowserErrors(problems);
  },
);
