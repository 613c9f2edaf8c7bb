import { assert, assertStringIncludes } from "../../lib/core/testing.ts";
import { startTestApp } from "../_helpers/app.ts";
import { panelUser } from "../_helpers/panel_session.ts";
import { services } from "../_helpers/services.ts";
import {
  assertNoBrowserErrors,
  browserTest,
  fill,
  hydrated,
  login,
  openPanelPage,
  shot,
} from "./_chromium.ts";

await browserTest(
  "Admin → Backups in Chromium: create a backup, restore it only after typing RESTORE; Admin → Workers runs one",
  async () => {
    if (!services.postgres) return;
    await using app = await startTestApp();
    const dir = await Deno.makeTempDir({ prefix: "taguato-browser-backups-" });
    Object.assign(app.deps.config, { databaseUrl: app.db.url, backupDir: dir });
    try {
      const admin = await panelUser(app, "ops_admin", { role: "admin" });
      await using browser = await openPanelPage(900);
      const { page, problems } = browser;
      await page.goto(`${app.url}/panel/admin/backups`, { waitUntil: "load" });
      await login(page, admin.username, admin.password);
      await page.waitForSelector(hydrated("BackupsAdmin"));
      await page.click('[data-action="create-backup"]');
      await page.waitForSelector("[data-backup]");
      const name = await page.$eval("[data-backup]", (tr) => tr.getAttribute("data-backup")!);
      assert(name.startsWith("taguato_manual_"), name);

      // Deleted after the backup, back after the restore.
      await app.db.sql`INSERT INTO taguato.users (username, password_hash) VALUES ('gone_soon', 'x')`;
      await page.click(`[data-restore="${name}"]`);
      await page.waitForSelector('dialog[open] input[name="confirm"]');
      const disabled = () =>
        page.$eval('[data-action="confirm-restore"]', (b) => (b as HTMLButtonElement).disabled);
      assert(await disabled(), "restore is disabled before the confirmation is typed");
      await fill(page, 'dialog[open] input[name="confirm"]', "RESTORE");
      assert(!await disabled());
      await shot(page, "backups-restore");
      await page.click('[data-action="confirm-restore"]');
      await page.waitForSelector("dialog[open]", { hidden: true });
      const text = await page.$eval('[data-island="BackupsAdmin"]', (e) => e.textContent ?? "");
      assertStringIncludes(text, name);
      const [gone] = await app.db.sql`SELECT 1 FROM taguato.users WHERE username = 'gone_soon'`;
      assert(!gone, "the restore brought back the state of the backup");

      await page.goto(`${app.url}/panel/admin/workers`, { waitUntil: "load" });
      await page.waitForSelector(hydrated("WorkersAdmin"));
      await page.click('[data-run="cleanup"]');
      await page.waitForFunction(() =>
        document.querySelector('[data-worker="cleanup"]')?.textContent?.includes("sessions_expired")
      );
      await shot(page, "workers");
      assertNoBrowserErrors(problems);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
