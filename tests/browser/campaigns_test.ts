/**
 * The Campaigns page in Chromium: a 50-recipient campaign with two variants created from pasted numbers
 * and a contact list (whose names fill {{name}})
 * (pacing "fast" with its gaps set to zero in the advanced fields), its progress bar following the sends
 * over SSE with two sends the engine refuses in the failed list, the page closed mid-way while the server keeps sending and reopened from the history, then
 * the bar at 100 %, the per-variant results and the CSV export. The test app runs no dispatcher loop, so
 * the test runs dispatcher passes itself: what the page shows at each step is then known exactly.
 */
import type { Page } from "puppeteer-core";
import { assert, assertEquals, assertStringIncludes } from "../../lib/core/testing.ts";
import { dispatchCampaigns } from "../../lib/campaigns/mod.ts";
import { startTestApp } from "../_helpers/app.ts";
import { NO_BUDGET } from "../_helpers/campaigns.ts";
import { control, tenantWithInstance } from "../_helpers/engine.ts";
import { engineSends } from "../_helpers/scheduled.ts";
import { addContactItems, createContactList } from "../../lib/messaging/mod.ts";
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

/** Replaces a field's whole value by typing (select all, then the new text; "" empties it). */
async function retype(page: Page, selector: string, text: string) {
  await page.click(selector);
  await page.keyboard.down("Control");
  await page.keyboard.press("KeyA");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  if (text) await page.type(selector, text);
}

/** Pastes `text` into a field: one input event with the whole text, as a paste from the clipboard gives. */
async function paste(page: Page, selector: string, text: string) {
  await page.$eval(selector, (el, t) => {
    const area = el as HTMLTextAreaElement;
    area.value = t as string;
    area.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
  }, text);
}

/** Waits until the open campaign's bar shows `percent`. */
const progressAt = (page: Page, percent: number) =>
  page.waitForSelector(`[data-campaign] [data-progress="${percent}"]`, { timeout: 15_000 });

const NUMBERS = Array.from({ length: 50 }, (_, i) => String(595981300000 + i));
const VARIANTS = ["Hola {{name|amigo}}, variante A", "Buen día {{name|amigo}}, variante B"];

await browserTest(
  "Campaigns page in Chromium: 50 recipients, two variants, live progress over SSE, closed and reopened mid-way, per-variant results",
  async () => {
    // A new number's warm-up budget (40 a day) would hold the 50th back: off, as in the other campaign tests.
    await using app = await startTestApp({ env: NO_BUDGET });
    const ana = await tenantWithInstance(app, "panel_camp", "masivo-py");
    const list = await createContactList(app.db.sql, ana.id, "VIP");
    await addContactItems(app.db.sql, ana.id, list.id, [
      { phone_number: NUMBERS[48], label: "Ana", fields: {} },
      { phone_number: NUMBERS[49], label: "Beto", fields: {} },
    ]);
    await using browser = await openPanelPage(1000);
    const { page, problems } = browser;

    // 1. Sign in and open Campañas from the sidebar.
    await page.goto(`${app.url}/panel/campaigns`, { waitUntil: "load" });
    assertEquals(path(page), "/panel/login");
    await login(page, "panel_camp", "Passw0rd!x");
    await page.goto(`${app.url}/panel/`, { waitUntil: "load" });
    await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.click('a[href="/panel/campaigns"]'),
    ]);
    await page.waitForSelector(hydrated("Campaigns"));

    // 2. The create dialog: 48 numbers pasted (lines and commas) plus the list, two variants, "fast" with
    // zero gaps.
    await page.click('[data-action="create-campaign"]');
    await page.waitForSelector('dialog[open] [data-form="campaign"]');
    // An empty form is refused with the reason, in Spanish, and creates nothing.
    await page.click('[data-action="save-campaign"]');
    await page.waitForSelector('[data-form="campaign"] .alert-error');
    assertStringIncludes(
      await page.$eval('[data-form="campaign"] .alert-error', (e) => e.textContent ?? ""),
      "El nombre de la campaña",
    );
    assertEquals((await app.db.sql`SELECT 1 FROM taguato.campaigns`).length, 0);
    // The refused POST is the one error the console may hold so far.
    assertEquals(problems.splice(0), [
      "Failed to load resource: the server responded with a status of 400 (Bad Request)",
    ]);
    await fill(page, 'input[name="name"]', "Promo navidad");
    const pasted = NUMBERS.slice(0, 25).join("\n") + "\n" + NUMBERS.slice(25, 48).join(", ");
    await paste(page, "#camp-numbers", pasted);
    await page.waitForSelector('[data-pasted="48"]');
    await page.click(`input[name="list-${list.id}"]`);
    await fill(page, "#camp-variant-0", VARIANTS[0]);
    await page.click('[data-action="add-variant"]');
    await fill(page, "#camp-variant-1", VARIANTS[1]);
    await page.select('select[name="preset"]', "fast");
    await page.click("[data-advanced] summary");
    assertEquals(await page.$eval('input[name="min_gap_s"]', (el) => (el as HTMLInputElement).value), "3");
    await retype(page, 'input[name="min_gap_s"]', "0");
    await retype(page, 'input[name="max_gap_s"]', "0");
    assertEquals(
      await page.$eval('select[name="preset"]', (el) => (el as HTMLSelectElement).value),
      "custom",
    );
    await shot(page, "campaign-create");
    await page.click('[data-action="save-campaign"]');

    // 3. Created: its detail opens, nothing sent yet, the stream live.
    await page.waitForSelector('[data-campaign] [data-campaign-status="scheduled"]');
    const id = Number(await page.$eval("[data-campaign]", (el) => el.getAttribute("data-campaign")));
    assert(id > 0);
    assertEquals(new URL(page.url()).searchParams.get("campaign"), String(id));
    await progressAt(page, 0);
    await page.waitForSelector('[data-live="open"]');
    const [row] = await app.db.sql<{ pacing: number[]; variants: string[] }[]>`
      SELECT ARRAY[min_gap_s, max_gap_s] AS pacing, variants FROM taguato.campaigns WHERE id = ${id}`;
    assertEquals([row.pacing, row.variants], [[0, 0], VARIANTS]);

    // 4. The server handles 20, two of which the engine refuses: the bar moves to 40 % through the event
    // stream (no reload) and the failed list shows the two with the engine's reason.
    await control(app).fail({
      count: 2,
      status: 400,
      pathPrefix: "/message/sendText",
      body: { status: 400, error: "Bad Request", response: { message: ["número bloqueado (prueba)"] } },
    });
    const firstPass = await dispatchCampaigns(app.deps, { maxClaims: 20 });
    assertEquals([firstPass.sent, firstPass.failed], [18, 2]);
    await progressAt(page, 40);
    await page.waitForSelector('[data-campaign-status="running"]');
    assertEquals(await page.$eval('[data-count="sent"] dd', (e) => e.textContent), "18");
    assertEquals(await page.$eval('[data-count="failed"] dd', (e) => e.textContent), "2");
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-table="campaign-recipients"] tr[data-status="failed"]').length === 2,
    );
    const reasons = await page.$$eval(
      '[data-table="campaign-recipients"] [data-reason]',
      (c) => c.map((x) => x.textContent),
    );
    assert(reasons.every((r) => r?.includes("número bloqueado")), reasons.join(" | "));
    // The history row follows the live counts.
    await page.waitForSelector(`[data-table="campaigns"] tr[data-id="${id}"] [data-done="20"]`);
    await shot(page, "campaign-40");

    // 5. The tab closes; the server sends 10 more meanwhile; a new tab finds it in the history at 30 of 50.
    const browserOf = page.browser();
    await page.close();
    assertEquals((await dispatchCampaigns(app.deps, { maxClaims: 10 })).sent, 10);
    const again = await browserOf.newPage();
    again.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    again.on("pageerror", (e) => problems.push(String(e)));
    await again.setViewport({ width: 1280, height: 1000 });
    await again.setExtraHTTPHeaders({ "accept-language": "es-PY,es;q=0.9" });
    await again.goto(`${app.url}/panel/campaigns`, { waitUntil: "load" });
    await again.waitForSelector(hydrated("Campaigns"));
    assertEquals(
      await again.$eval(
        `[data-table="campaigns"] tr[data-id="${id}"] [data-done]`,
        (e) => e.getAttribute("data-done"),
      ),
      "30",
    );
    await again.click(`[data-table="campaigns"] tr[data-id="${id}"] [data-action="open"]`);
    await progressAt(again, 60);
    await again.waitForSelector('[data-live="open"]');

    // 6. Pause: the server sends nothing while paused; resume puts it back in line.
    await again.click('[data-campaign] [data-action="pause"]');
    await again.waitForSelector('[data-campaign-status="paused"]');
    assertEquals(
      await again.$$eval(
        "[data-campaign] .campaign-head [data-action]",
        (b) => b.map((x) => x.getAttribute("data-action")),
      ),
      ["resume", "cancel"],
    );
    assertEquals((await dispatchCampaigns(app.deps)).sent, 0);
    await again.click('[data-campaign] [data-action="resume"]');
    await again.waitForSelector('[data-campaign-status="scheduled"]');

    // 7. The rest goes out: 100 %, completed, the stream ends.
    const rest = await dispatchCampaigns(app.deps);
    assertEquals([rest.sent, rest.completed], [20, 1]);
    await progressAt(again, 100);
    await again.waitForSelector('[data-campaign-status="completed"]');
    await again.waitForSelector('[data-live="ended"]');
    assertEquals(
      await again.$$eval("[data-campaign] [data-action]", (b) => b.map((x) => x.getAttribute("data-action"))),
      [
        "close-detail",
        "export",
      ],
    );

    // 8. Per-variant results: two rows (and the chart) whose sends add up to 48, as the engine saw them.
    await again.waitForSelector(
      '[data-results="final"] [data-table="campaign-results"] tbody tr[data-variant="2"]',
    );
    await again.waitForSelector('[data-results="final"] canvas');
    const sent = await again.$$eval(
      '[data-table="campaign-results"] tbody tr',
      (trs) => trs.map((tr) => Number(tr.querySelector('[data-step="sent"]')?.textContent)),
    );
    assertEquals(sent.length, 2);
    assertEquals(sent[0] + sent[1], 48);
    assert(sent.every((n) => n > 0), `both variants were used: ${sent}`);
    const sends = await engineSends(app.sandbox.url, ana.instance);
    assertEquals(sends.length, 48, "each recipient sent once, the two refused not at all");
    assertEquals(new Set(sends.map((s) => s.number)).size, 48);
    const a = sends.filter((s) => s.text.startsWith("Hola ")).length;
    // The list's contacts (sent first: the two the engine refused) got their names, the pasted numbers the
    // fallback.
    const texts = await app.db.sql<{ phone_number: string; body_text: string }[]>`
      SELECT phone_number, body_text FROM taguato.message_logs WHERE source = 'campaign' ORDER BY id`;
    assertEquals(texts.length, 50);
    assertEquals(
      texts.slice(0, 2).map((t) => [t.phone_number, t.body_text.split(",")[0].split(" ").at(-1)]),
      [
        [NUMBERS[48], "Ana"],
        [NUMBERS[49], "Beto"],
      ],
    );
    assert(texts.slice(2).every((t) => t.body_text.includes("amigo, variante")), texts[2].body_text);
    assertEquals([a, sends.length - a], sent);
    await shot(again, "campaign-done");

    // 9. The CSV export link: one line per recipient after the header.
    const href = await again.$eval('[data-action="export"]', (el) => el.getAttribute("href"));
    assertEquals(href, `/api/campaigns/${id}/export`);
    const csv = await again.evaluate(async (url) => (await (await fetch(url as string)).text()), href);
    const lines = csv.trimEnd().split("\n");
    assertEquals(lines.length, 51);
    assertEquals(lines.filter((l) => l.includes(",sent,")).length, 48);
    assertEquals(lines.filter((l) => l.includes(",failed,")).length, 2);
    assertNoBrowserErrors(problems);
  },
);
