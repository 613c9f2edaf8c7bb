import { sandboxControl, startWebhookReceiver } from "../../lib/sandbox/testing.ts";
import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { startWebhookDispatcher } from "../../workers/webhook_dispatch.ts";
import { ENGINE_KEY, startTestApp } from "../_helpers/app.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  clickAndLoad,
  fieldError,
  fill,
  firstSignIn,
  hydrated,
  openPanelPage,
  path,
  shot,
} from "./_chromium.ts";

await browserTest(
  "gateway pages in Chromium: create and connect an instance by QR, send a formatted message, see it delivered",
  async () => {
    // Receipts: SERVER_ACK after 50 ms, DELIVERY_ACK 100 ms later; READ only after a minute, so the
    // history can be seen at "delivered". Webhooks may target the local receiver.
    await using app = await startTestApp({
      sandbox: { ackDelaysMs: [50, 100, 60_000] },
      env: { WEBHOOK_ALLOW_PRIVATE: "true" },
    });
    const dispatcher = startWebhookDispatcher(app.deps, { intervalMs: 50 });
    const receiver = startWebhookReceiver();
    const sandbox = sandboxControl(app.sandbox.url, ENGINE_KEY);
    try {
      await using browser = await openPanelPage(900);
      const { page, problems } = browser;

      // 1. Sign in as the bootstrap admin (forced password change first), landing on Instances.
      const password = "Nuev0-Admin-Pass";
      await page.goto(`${app.url}/panel/instances`, { waitUntil: "load" });
      assertEquals(path(page), "/panel/login");
      await firstSignIn(page, app.admin.username, app.admin.password, password);
      assertEquals(path(page), "/panel/instances");

      // 2. Create an instance; a bad name is refused in the page, with the server's rule.
      await page.waitForSelector(hydrated("Instances"));
      await fill(page, 'input[name="instance_name"]', "-mala");
      await page.click('[data-form="create-instance"] button[type="submit"]');
      assertStringIncludes(
        await fieldError(page, "create-instance"),
        "debe empezar con una letra o un número",
      );
      await fill(page, 'input[name="instance_name"]', "ventas-py");
      await page.click('[data-form="create-instance"] button[type="submit"]');
      await page.waitForSelector('[data-instance-row="ventas-py"] [data-state="close"]');

      // 3. Connect: the dialog shows the engine's QR as an image and polls the state.
      await page.click('[data-instance-row="ventas-py"] [data-action="connect"]');
      await page.waitForSelector("dialog[open] img[data-qr]");
      await page.waitForFunction(() => {
        const img = document.querySelector("dialog[open] img[data-qr]") as HTMLImageElement | null;
        return !!img && img.complete && img.naturalWidth > 0;
      });
      assert(
        (await page.$eval("dialog[open] img[data-qr]", (i) => i.getAttribute("src") ?? "")).startsWith(
          "data:image/png;base64,",
        ),
      );
      await page.waitForSelector('[data-instance-row="ventas-py"] [data-state="connecting"]');
      await shot(page, "instances-connect");

      // The pairing-code option: a phone number in, an 8-character code out, shown big.
      await page.click('dialog[open] [data-mode="code"]');
      await fill(page, 'dialog[open] input[name="pairing_phone"]', "595981111222");
      await page.click('dialog[open] [data-action="get-code"]');
      await page.waitForSelector("dialog[open] [data-pairing-code]", { timeout: 10_000 });
      const code = await page.$eval(
        "dialog[open] [data-pairing-code]",
        (e) => e.getAttribute("data-pairing-code"),
      );
      assert(/^[1-9A-Z]{8}$/.test(code ?? ""), String(code));
      await shot(page, "instances-pairing");

      // The phone "scans" it (sandbox control route); the page notices by itself.
      await sandbox.scan("ventas-py", { phone: "595981111222", profileName: "Ventas PY" });
      await page.waitForSelector('[data-connect-state="open"]', { timeout: 10_000 });
      await page.waitForSelector('[data-instance-row="ventas-py"] [data-state="open"]');
      await page.click('[data-action="connect-done"]');
      await page.waitForSelector("dialog[open]", { hidden: true });
      await page.waitForFunction(
        () =>
          document.querySelector('[data-instance-row="ventas-py"]')?.textContent?.includes("+595981111222"),
        { timeout: 15_000 },
      );
      await shot(page, "instances");

      // The detail view: state, phone and the instance's statistics.
      await page.click('[data-instance-row="ventas-py"] [data-action="detail"]');
      await page.waitForSelector('dialog[open] [data-instance-detail="ventas-py"] .tile-row');
      assertStringIncludes(await page.$eval("dialog[open]", (d) => d.textContent ?? ""), "+595981111222");
      // The campaign health of a number that has not sent yet: full score, the warm-up budget.
      await page.waitForSelector('dialog[open] [data-instance-health="ventas-py"] [data-health-score]');
      assertEquals(await page.$eval("dialog[open] [data-health-score]", (e) => e.textContent), "100");
      assertStringIncludes(
        await page.$eval("dialog[open] [data-instance-health]", (e) => e.textContent ?? ""),
        "40",
      );
      await shot(page, "instances-detail");
      await page.keyboard.press("Escape");
      await page.waitForSelector("dialog[open]", { hidden: true });

      // 4. Webhooks: one for the instance, every event, delivered to a local receiver.
      await clickAndLoad(page, 'nav.sidebar a[href="/panel/webhooks"]');
      await page.waitForSelector(hydrated("Webhooks"));
      await page.click('[data-action="create-webhook"]');
      await page.waitForSelector('dialog[open] [data-form="webhook"]');
      await fill(page, 'dialog[open] input[name="webhook_url"]', `${receiver.url}/hook`);
      await page.click('dialog[open] [data-action="save-webhook"]');
      await page.waitForSelector("[data-webhook-secret] [data-secret]");
      const secret = await page.$eval(
        "[data-webhook-secret] [data-secret]",
        (e) => e.getAttribute("data-secret"),
      );
      assert(secret?.startsWith("whsec_"), String(secret));
      await page.waitForSelector("[data-webhook-id]");

      // 5. Messages: number, text, bold from the toolbar, an emoji from the picker; send.
      await clickAndLoad(page, 'nav.sidebar a[href="/panel/messages"]');
      await page.waitForSelector(hydrated("MessageComposer"));
      await page.waitForSelector(hydrated("MessageHistory"));
      assertEquals(
        await page.$eval('select[name="instance"]', (s) => (s as HTMLSelectElement).value),
        "ventas-py",
      );
      await fill(page, 'input[name="number"]', "12");
      await page.type("#message-text", "Hola mundo ");
      await page.click('[data-action="send"]');
      assertStringIncludes(await fieldError(page, "send-message"), "entre 8 y 20 dígitos");
      await fill(page, 'input[name="number"]', "+595 981 000 111");
      // Select "mundo" and make it bold with the toolbar.
      await page.$eval("#message-text", (el) => {
        const area = el as HTMLTextAreaElement;
        area.focus();
        area.setSelectionRange(5, 10);
      });
      // The selection is back on the word before anything else can run (a caret moved right after the
      // click must not be overwritten by a late restore), so it is read in the next task, not a frame later.
      const afterBold = await page.$eval('[data-format="*"]', async (button) => {
        (button as HTMLButtonElement).click();
        await new Promise((r) => setTimeout(r, 0));
        const area = document.querySelector("#message-text") as HTMLTextAreaElement;
        return [area.value, area.selectionStart, area.selectionEnd];
      });
      assertEquals(afterBold, ["Hola *mundo* ", 6, 11]);
      await page.$eval("#message-text", (el) => {
        const area = el as HTMLTextAreaElement;
        area.setSelectionRange(area.value.length, area.value.length);
      });
      await page.click('[data-action="emoji"]');
      // The picker renders its grid again once its data is in, so wait for its database; a click can
      // still land on a button the picker replaces a moment later: a user clicks again, and so do we.
      await page.waitForFunction(
        () => {
          const picker = document.querySelector("emoji-picker") as { database?: { ready(): Promise<void> } };
          return picker?.database?.ready().then(() => true);
        },
        { timeout: 15_000 },
      );
      const emojiButton = 'emoji-picker >>> .emoji-menu button[role="menuitem"]';
      await page.waitForSelector(emojiButton, { timeout: 15_000 });
      await shot(page, "messages-emoji");
      const textGrew = () =>
        page.waitForFunction(
          () => (document.querySelector("#message-text") as HTMLTextAreaElement).value.length > 13,
          { timeout: 3_000 },
        ).then(() => true, () => false);
      let picked = false;
      for (let attempt = 0; attempt < 4 && !picked; attempt++) {
        await page.locator(emojiButton).click();
        picked = await textGrew();
      }
      assert(picked, "a click on the emoji picker inserted no emoji");
      const typed = await page.$eval("#message-text", (e) => (e as HTMLTextAreaElement).value);
      assert(/^Hola \*mundo\* \p{Extended_Pictographic}/u.test(typed), typed);
      assertEquals(await page.$eval("[data-preview] strong", (s) => s.textContent), "mundo");
      await page.keyboard.press("Escape");
      await shot(page, "messages-compose");
      await page.click('[data-action="send"]');
      await page.waitForSelector('[data-form="send-message"] .alert');
      assertStringIncludes(
        await page.$eval('[data-form="send-message"] .alert', (a) => `${a.className}: ${a.textContent}`),
        "alert-success: Mensaje enviado a +595 981 000 111",
      );

      // 6. The history shows it, and the receipts move it to "delivered" without a reload.
      await page.waitForSelector('[data-table="history"] tr[data-log-status="delivered"]', {
        timeout: 20_000,
      });
      const row = await page.$eval('[data-table="history"] tbody tr', (tr) => tr.textContent ?? "");
      assertStringIncludes(row, "595981000111");
      assertStringIncludes(row, "Entregado");
      assertStringIncludes(row, "ventas-py");
      assertEquals(await page.$eval("#message-text", (e) => (e as HTMLTextAreaElement).value), "");
      await shot(page, "messages");

      // A file: read in the browser, sent as base64 with its MIME type and name, logged as an image.
      const png = await Deno.makeTempFile({ suffix: ".png" });
      await Deno.writeFile(
        png,
        Uint8Array.from(
          atob(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
          ),
          (ch) => ch.charCodeAt(0),
        ),
      );
      await page.click('[data-kind="media"]');
      const input = await page.waitForSelector('input[type="file"][name="media"]');
      await input!.uploadFile(png);
      await page.waitForFunction(() =>
        document.querySelector("#media-file-hint")?.textContent?.includes("imagen")
      );
      await page.type("#message-text", "Foto _nueva_");
      await page.waitForSelector(".wa-media img");
      await page.click('[data-action="send"]');
      await page.waitForFunction(() =>
        document.querySelector('[data-form="send-message"] .alert-success') &&
        (document.querySelector('input[type="file"]') as HTMLInputElement).value === ""
      );
      await page.waitForFunction(
        () => document.querySelectorAll('[data-table="history"] tbody tr').length === 2,
        { timeout: 10_000 },
      );
      assertStringIncludes(
        await page.$eval('[data-table="history"] tbody tr', (tr) => tr.textContent ?? ""),
        "Imagen",
      );
      await Deno.remove(png);
      const [log] = await app.db.sql<{ status: string; source: string; phone_number: string }[]>`
      SELECT status, source, phone_number FROM taguato.message_logs WHERE direction = 'outbound' ORDER BY id`;
      assertEquals(log, { status: "delivered", source: "panel", phone_number: "595981000111" });

      // 7. The webhook got the send's events; its delivery log lists them, and one can be sent again.
      await receiver.waitFor((h) => h.body?.event === "send.message", 10_000);
      await clickAndLoad(page, 'nav.sidebar a[href="/panel/webhooks"]');
      await page.waitForSelector(hydrated("Webhooks"));
      await page.click('[data-action="deliveries"]');
      await page.waitForSelector('dialog[open] [data-table="deliveries"] tr[data-delivery-id]');
      const before = (await page.$$("dialog[open] tr[data-delivery-id]")).length;
      await page.click('dialog[open] tr[data-delivery-id] [data-action="redeliver"]');
      await page.waitForSelector("dialog[open] .alert-success");
      await page.waitForFunction(
        (n) => document.querySelectorAll("dialog[open] tr[data-delivery-id]").length > n,
        {},
        before,
      );
      await shot(page, "webhooks-deliveries");
      await page.keyboard.press("Escape");
      await page.waitForSelector("dialog[open]", { hidden: true });
      await shot(page, "webhooks");

      // The same history in English on the dark theme, badges included.
      await page.setCookie({ name: "lang", value: "en", url: app.url }, {
        name: "theme",
        value: "dark",
        url: app.url,
      });
      await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("MessageHistory"));
      assertStringIncludes(
        await page.$eval('[data-table="history"]', (t) => t.textContent ?? ""),
        "Delivered",
      );
      await shot(page, "messages-dark-en");

      assertNoBrowserErrors(problems);
    } finally {
      await dispatcher.stop();
      await receiver.stop();
    }
  },
);
