// The Messages page sends a poll, a location and a contact card (issue 13), in Spanish and English:
// each kind shows its own fields with the gateway's rules beside them, and lands in the engine as its
// message type and in the ledger as one row of that type.
import { sandboxControl } from "../../lib/sandbox/testing.ts";
import { assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { ENGINE_KEY, startTestApp } from "../_helpers/app.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  fieldError,
  fill,
  firstSignIn,
  hydrated,
  openPanelPage,
  shot,
} from "./_chromium.ts";
import type { Page } from "puppeteer-core";

// The engine's stored message objects, read field by field.
// deno-lint-ignore no-explicit-any
type Engine = any;

const SUCCESS = '[data-form="send-message"] .alert-success';

/** Clicks send and waits for the success alert (the previous one goes away when the send starts). */
async function sendAndConfirm(page: Page, expected: string) {
  await page.click('[data-action="send"]');
  await page.waitForSelector(SUCCESS);
  assertStringIncludes(await page.$eval(SUCCESS, (a) => a.textContent ?? ""), expected);
}

await browserTest(
  "Messages page in Chromium: a poll, a location and a contact card, in Spanish and English",
  async () => {
    await using app = await startTestApp({ sandbox: { ackDelaysMs: [50, 100, 60_000] } });
    const engine = sandboxControl(app.sandbox.url, ENGINE_KEY);
    // The admin owns one connected instance (the state the engine's events would have recorded).
    const created = await fetch(`${app.sandbox.url}/instance/create`, {
      method: "POST",
      headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
      body: JSON.stringify({ instanceName: "tipos", integration: "WHATSAPP-BAILEYS" }),
    });
    await created.body?.cancel();
    await app.db.sql`
    INSERT INTO taguato.user_instances (user_id, instance_name, connection_state)
    SELECT id, 'tipos', 'open' FROM taguato.users WHERE username = ${app.admin.username}`;
    await engine.scan("tipos", { phone: "595981000001" });

    await using browser = await openPanelPage(1000);
    const { page, problems } = browser;
    await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
    await firstSignIn(page, app.admin.username, app.admin.password, "Nuev0-Admin-Pass");
    await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
    await page.waitForSelector(hydrated("MessageComposer"));
    await fill(page, 'input[name="number"]', "595981000111");

    // 1. Poll: an empty option is refused beside it; a third option can be added.
    await page.click('[data-kind="poll"]');
    await page.waitForSelector('[data-kind-fields="poll"]');
    assertEquals(await page.$("#message-text"), null);
    await fill(page, 'input[name="question"]', "¿Almorzamos?");
    await fill(page, 'input[name="option-0"]', "Sí");
    await page.click('[data-action="send"]');
    assertEquals(await fieldError(page, "send-message"), "Escriba la opción o quítela.");
    await fill(page, 'input[name="option-1"]', "No");
    await page.click('[data-action="add-option"]');
    await fill(page, 'input[name="option-2"]', "Más tarde");
    assertStringIncludes(await page.$eval('[data-preview="poll"]', (e) => e.textContent ?? ""), "Más tarde");
    await shot(page, "messages-poll");
    await sendAndConfirm(page, "Mensaje enviado a 595981000111");

    // 2. Location: a latitude out of range is refused; a comma decimal is read as a point.
    await page.click('[data-kind="location"]');
    await fill(page, 'input[name="latitude"]', "91");
    await fill(page, 'input[name="longitude"]', "-57,5759");
    await page.click('[data-action="send"]');
    assertEquals(await fieldError(page, "send-message"), "La latitud es un número entre -90 y 90.");
    await fill(page, 'input[name="latitude"]', "-25,2637");
    await fill(page, 'input[name="name"]', "Palacio de López");
    await shot(page, "messages-location");
    await sendAndConfirm(page, "Mensaje enviado");

    // 3. Contact card: the phone needs its country code.
    await page.click('[data-kind="contact"]');
    await fill(page, 'input[name="fullName"]', "Ana Pérez");
    await fill(page, 'input[name="phoneNumber"]', "0981");
    await page.click('[data-action="send"]');
    assertStringIncludes(await fieldError(page, "send-message"), "código de país");
    await fill(page, 'input[name="phoneNumber"]', "+595 981 000 123");
    await fill(page, 'input[name="organization"]', "Acme");
    await shot(page, "messages-contact");
    await sendAndConfirm(page, "Mensaje enviado");

    // 4. The same kinds in English.
    await page.setCookie({ name: "lang", value: "en", url: app.url });
    await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
    await page.waitForSelector(hydrated("MessageComposer"));
    assertEquals(
      await page.$$eval("[data-kind]", (b) => b.map((e) => e.textContent)),
      ["Text", "File", "Poll", "Location", "Contact card"],
    );
    await fill(page, 'input[name="number"]', "595981000111");
    await page.click('[data-kind="poll"]');
    await page.click('[data-action="send"]');
    assertEquals(await fieldError(page, "send-message"), "Type the question.");
    await fill(page, 'input[name="question"]', "Lunch?");
    await fill(page, 'input[name="option-0"]', "Yes");
    await fill(page, 'input[name="option-1"]', "No");
    await page.click('input[name="multiple"]');
    await sendAndConfirm(page, "Message sent to 595981000111");

    // The ledger has one row per send, with its type; the engine holds each as its WhatsApp message.
    const rows = await app.db.sql<{ message_type: string; source: string }[]>`
    SELECT message_type, source FROM taguato.message_logs WHERE direction = 'outbound' ORDER BY id`;
    assertEquals(rows.map((r) => r.message_type), ["poll", "location", "contact", "poll"]);
    assertEquals(new Set(rows.map((r) => r.source)), new Set(["panel"]));
    const found = await fetch(`${app.sandbox.url}/chat/findMessages/tipos`, {
      method: "POST",
      headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
      body: "{}",
    }).then((r) => r.json());
    const records = found.messages.records as { messageType: string; message: Engine }[];
    assertEquals(records.map((m) => m.messageType).reverse(), [
      "pollCreationMessageV3",
      "locationMessage",
      "contactMessage",
      "pollCreationMessage",
    ]);
    const location = records.find((m) => m.messageType === "locationMessage")!.message.locationMessage;
    assertEquals([location.degreesLatitude, location.degreesLongitude, location.name], [
      -25.2637,
      -57.5759,
      "Palacio de López",
    ]);
    const poll =
      records.find((m) => m.messageType === "pollCreationMessageV3")!.message.pollCreationMessageV3;
    assertEquals(poll.options.map((o: { optionName: string }) => o.optionName), ["Sí", "No", "Más tarde"]);
    assertStringIncludes(
      records.find((m) => m.messageType === "contactMessage")!.message.contactMessage.vcard,
      "ORG:Acme;",
    );
    assertNoBrowserErrors(problems);
  },
);
