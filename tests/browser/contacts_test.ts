import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { createUser } from "../_helpers/auth_client.ts";
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

await browserTest(
  "contacts and templates pages in Chromium: import a CSV with a report, then preview a template for a contact",
  async () => {
    await using app = await startTestApp({ cache: "memory" });
    await createUser(app, "panel_ct", "Passw0rd-ct!");
    const dir = await Deno.makeTempDir();
    const csv = `${dir}/contactos.csv`;
    await Deno.writeTextFile(
      csv,
      "\uFEFFNombre;Celular;Ciudad\nAna;+595 981 000 001;Asunción\nBeto;0981-000-002;Luque\nAna otra vez;595981000001;CDE\nMal;12ab;CDE\n",
    );
    try {
      await using browser = await openPanelPage(900);
      const { page, problems } = browser;
      await page.goto(`${app.url}/panel/contacts`, { waitUntil: "load" });
      await login(page, "panel_ct", "Passw0rd-ct!");
      assertEquals(path(page), "/panel/contacts");
      await page.waitForSelector(hydrated("Contacts"));

      // A new list opens below the table with the import form.
      await fill(page, 'input[name="list-name"]', "Clientes");
      await page.click('[data-form="new-list"] button[type="submit"]');
      await page.waitForSelector('[data-open-list="Clientes"] [data-form="csv-import"]');

      const input = await page.$('[data-form="csv-import"] input[type="file"]');
      assert(input);
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(csv);
      await page.click('[data-action="import"]');
      await page.waitForSelector("[data-import-report]");
      const summary = await page.$eval("[data-import-report] .alert", (e) => e.textContent ?? "");
      assertStringIncludes(summary, "2 importados, 1 duplicados, 1 no válidos (de 4 filas)");
      assertEquals(await page.$$eval('[data-table="import-report"] tbody tr', (rows) => rows.length), 2);
      // The items table and the list's count follow.
      await page.waitForSelector('[data-item="595981000001"]');
      await page.waitForSelector('[data-item="0981000002"]');
      assertStringIncludes(
        await page.$eval('[data-item="595981000001"]', (e) => e.textContent ?? ""),
        "ciudad: Asunción",
      );
      await page.waitForFunction(() =>
        document.querySelector('[data-list="Clientes"] [data-count]')?.textContent === "2"
      );
      await shot(page, "contacts-import");

      // Templates: the city is offered as a variable and the preview fills it in.
      await page.goto(`${app.url}/panel/templates`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("Templates"));
      await page.click('[data-action="new-template"]');
      await page.waitForSelector('dialog[open] [data-insert="ciudad"]');
      await fill(page, 'dialog[open] input[name="name"]', "Saludo");
      await page.click("dialog[open] #tpl-content");
      await page.keyboard.type("Hola {{name}} de ");
      await page.click('dialog[open] [data-insert="ciudad"]');
      await fill(page, 'dialog[open] input[name="sample-ciudad"]', "Luque");
      await page.waitForFunction(() =>
        document.querySelector("dialog[open] [data-preview]")?.textContent === "Hola Ana de Luque"
      );
      await page.click('[data-action="save-template"]');
      await page.waitForSelector('[data-template="Saludo"]');
      assertStringIncludes(
        await page.$eval('[data-template="Saludo"]', (e) => e.textContent ?? ""),
        "{{ciudad}}",
      );
      assertNoBrowserErrors(problems);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
