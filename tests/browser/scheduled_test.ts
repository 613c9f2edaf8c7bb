import { assertEquals } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { tenantWithInstance } from "../_helpers/engine.ts";
import { engineSends, runAt } from "../_helpers/scheduled.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  hydrated,
  login,
  openPanelPage,
  path,
  shot,
} from "./_chromium.ts";
import type { Page } from "puppeteer-core";

/** Sets a controlled input the way a user's edit would (datetime-local cannot be typed into reliably). */
async function setValue(page: Page, selector: string, value: string) {
  await page.$eval(selector, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = v as string;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }, value);
}

/** Wall-clock time in a zone as a datetime-local value, `minutes` from now. */
const localIn = (zone: string, minutes: number) =>
  Temporal.Now.instant().add({ minutes }).toZonedDateTimeISO(zone).toPlainDateTime().toString().slice(0, 16);

await browserTest(
  "Scheduled page in Chromium: schedule a personalised message for numbers and a contact list a few minutes ahead, see it sent",
  async () => {
    await using app = await startTestApp({ env: { SCHEDULED_SEND_DELAY_MS: "0" } });
    const ana = await tenantWithInstance(app, "panel_sched", "agenda-py");
    const [list] = await app.db.sql<{ id: number }[]>`
      INSERT INTO taguato.contact_lists (user_id, name) VALUES (${ana.id}, 'clientes') RETURNING id`;
    await app.db.sql`INSERT INTO taguato.contact_list_items (list_id, phone_number, label)
      VALUES (${list.id}, '595981000004', 'Dora')`;
    await using browser = await openPanelPage(900);
    const { page, problems } = browser;

    // 1. Sign in and open Programados.
    await page.goto(`${app.url}/panel/scheduled`, { waitUntil: "load" });
    assertEquals(path(page), "/panel/login");
    await login(page, "panel_sched", "Passw0rd!x");
    await page.goto(`${app.url}/panel/scheduled`, { waitUntil: "load" });
    await page.waitForSelector(hydrated("ScheduledList"));

    // 2. Schedule for three typed recipients (two with a name) plus a contact list, five minutes ahead in
    // Asunción time.
    await page.click('[data-action="create-scheduled"]');
    await page.waitForSelector('dialog[open] [data-form="scheduled"]');
    await setValue(page, "#sch-recipients", "595981000001, Ana\n595981000002, Beto\n595981000003");
    await page.select('select[name="contact_list_id"]', String(list.id));
    await setValue(page, "#sch-content", "Hola {{name|amigo}}, tu pedido está listo");
    await setValue(page, 'input[name="scheduled_at"]', localIn("America/Asuncion", 5));
    assertEquals(
      await page.$eval('input[name="time_zone"]', (el) => (el as HTMLInputElement).value),
      "America/Asuncion",
    );
    await page.click('[data-action="save-scheduled"]');
    await page.waitForSelector('[data-table="scheduled"] [data-status="pending"]');
    await shot(page, "scheduled-pending");

    // 3. The worker's tick, as if the clock read six minutes later.
    const run = await runAt(app, new Date(Date.now() + 6 * 60_000).toISOString());
    assertEquals([run.messages, run.sent], [1, 4]);
    assertEquals((await engineSends(app.sandbox.url, ana.instance)).map((s) => s.text), [
      "Hola Ana, tu pedido está listo",
      "Hola Beto, tu pedido está listo",
      "Hola amigo, tu pedido está listo",
      "Hola Dora, tu pedido está listo",
    ]);

    // 4. The list shows it completed; the detail shows what each number got.
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector(hydrated("ScheduledList"));
    await page.waitForSelector('[data-table="scheduled"] [data-status="completed"]');
    await page.click('[data-table="scheduled"] [data-action="detail"]');
    await page.waitForSelector('dialog[open] [data-table="scheduled-recipients"] tbody tr');
    const texts = await page.$$eval(
      'dialog[open] [data-table="scheduled-recipients"] tbody tr td:last-child',
      (cells) => cells.map((c) => c.textContent),
    );
    assertEquals(texts, [
      "Hola Ana, tu pedido está listo",
      "Hola Beto, tu pedido está listo",
      "Hola amigo, tu pedido está listo",
      "Hola Dora, tu pedido está listo",
    ]);
    await shot(page, "scheduled-detail");

    // 5. History lists the four sends.
    await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
    await page.waitForSelector(hydrated("MessageHistory"));
    const sent = await page.$$eval('[data-table="history"] tr[data-log-status]', (rows) => rows.length);
    assertEquals(sent, 4);
    assertNoBrowserErrors(problems);
  },
);
