import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { tenantWithInstance } from "../_helpers/engine.ts";
import { engineSends, runAt } from "../_helpers/scheduled.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  fill,
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
  "Scheduled page in Chromium: import a contact list from CSV, schedule a personalised message for it and for typed numbers, see it sent in History, export the CSV",
  async () => {
    await using app = await startTestApp({ env: { SCHEDULED_SEND_DELAY_MS: "0" } });
    const ana = await tenantWithInstance(app, "panel_sched", "agenda-py");
    const dir = await Deno.makeTempDir();
    const csv = `${dir}/clientes.csv`;
    await Deno.writeTextFile(csv, "\uFEFFNombre,Celular\nDora,+595 981 000 004\n");
    try {
      await using browser = await openPanelPage(900);
      const { page, problems } = browser;

      // 1. Sign in; on Contactos, a new list imported from a CSV file.
      await page.goto(`${app.url}/panel/contacts`, { waitUntil: "load" });
      assertEquals(path(page), "/panel/login");
      await login(page, "panel_sched", "Passw0rd!x");
      await page.goto(`${app.url}/panel/contacts`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("Contacts"));
      await fill(page, 'input[name="list-name"]', "clientes");
      await page.click('[data-form="new-list"] button[type="submit"]');
      await page.waitForSelector('[data-open-list="clientes"] [data-form="csv-import"]');
      const file = await page.$('[data-form="csv-import"] input[type="file"]');
      assert(file);
      await (file as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(csv);
      await page.click('[data-action="import"]');
      await page.waitForSelector("[data-import-report]");
      assertStringIncludes(
        await page.$eval("[data-import-report] .alert", (e) => e.textContent ?? ""),
        "1 importados",
      );
      await page.waitForSelector('[data-item="595981000004"]');

      // 2. Programados: three typed recipients (two with a name) plus the list, five minutes ahead in
      // Asunción time.
      await page.goto(`${app.url}/panel/scheduled`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("ScheduledList"));
      await page.click('[data-action="create-scheduled"]');
      await page.waitForSelector('dialog[open] [data-form="scheduled"]');
      await setValue(page, "#sch-recipients", "595981000001, Ana\n595981000002, Beto\n595981000003");
      const listId = await page.$eval(
        'select[name="contact_list_id"]',
        (el) =>
          [...(el as HTMLSelectElement).options].find((o) => o.textContent?.includes("clientes"))?.value,
      );
      assert(listId, "the imported list is offered");
      await page.select('select[name="contact_list_id"]', listId);
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
      const personalised = [
        "Hola Ana, tu pedido está listo",
        "Hola Beto, tu pedido está listo",
        "Hola amigo, tu pedido está listo",
        "Hola Dora, tu pedido está listo",
      ];
      assertEquals((await engineSends(app.sandbox.url, ana.instance)).map((s) => s.text), personalised);

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
      assertEquals(texts, personalised);
      await shot(page, "scheduled-detail");

      // 5. History lists the four sends with their texts, and its export holds them.
      await page.goto(`${app.url}/panel/messages`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("MessageHistory"));
      const rows = await page.$$eval(
        '[data-table="history"] tr[data-log-status]',
        (trs) => trs.map((tr) => tr.textContent ?? ""),
      );
      assertEquals(rows.length, 4);
      assert(rows.some((r) => r.includes("Hola Dora")), rows.join(" | "));
      const href = await page.$eval('[data-action="export"]', (a) => a.getAttribute("href"));
      assert(href?.startsWith("/api/messages/export"), String(href));
      const exported = await page.evaluate(async (url) => {
        const res = await fetch(url as string);
        return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
      }, href);
      assertEquals(exported.status, 200);
      assertStringIncludes(String(exported.type), "text/csv");
      for (const phone of ["595981000001", "595981000002", "595981000003", "595981000004"]) {
        assertStringIncludes(exported.text, `,${phone},`);
      }
      assertNoBrowserErrors(problems);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
