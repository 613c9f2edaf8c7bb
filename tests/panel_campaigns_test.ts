/**
 * The Campaigns panel page (server-rendered): both languages with its nav entry, the user's own campaigns
 * only with their recipient counts (the same list as GET /api/campaigns), the create dialog's options
 * (instances, lists, templates, variable hints, time zone), `?campaign=` opening one, and signed out.
 */
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { changeCampaign, createCampaign, type NewCampaign } from "../lib/campaigns/mod.ts";
import { addContactItems, createContactList, createTemplate, setUserTimeZone } from "../lib/messaging/mod.ts";
import { audienceBody, csvSummary, EMPTY_AUDIENCE, pastedNumbers } from "../islands/campaign_audience.tsx";
import { contentBody, EMPTY_CONTENT } from "../islands/campaign_content.tsx";
import { initialTiming, timingBody, zonedIso } from "../islands/campaign_pacing.tsx";
import { actionsFor } from "../islands/campaign_parts.ts";
import { startTestApp } from "./_helpers/app.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";

const campaign = (name: string, instanceName: string): NewCampaign => ({
  instanceName,
  name,
  variants: ["Hola {{name}}", "Buen día {{name}}"],
  mediaUrl: null,
  mediaType: null,
  startAt: new Date(),
  draft: false,
  minGapS: 0,
  maxGapS: 0,
  longPauseEvery: null,
  longPauseS: 0,
  dailyCap: null,
  quietStart: null,
  quietEnd: null,
  timeZone: "UTC",
  quietHoursZone: "campaign",
  typingMs: 0,
});
const phones = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ phone: String(595981200000 + i), vars: {} }));

Deno.test("GET /panel/campaigns: my campaigns with counts and the create options, in Spanish and English", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const { sql } = app.db;
  const ana = await panelUser(app, "camp_ana");
  const beto = await panelUser(app, "camp_beto");
  await sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${ana.id}, 'ana-wa')`;
  await setUserTimeZone(sql, ana.id, "America/Asuncion");
  const list = await createContactList(sql, ana.id, "Clientes");
  await addContactItems(sql, ana.id, list.id, [{
    phone_number: "595981000010",
    label: "Dora",
    fields: { city: "Luque" },
  }]);
  const tpl = await createTemplate(sql, ana.id, "Saludo", "Hola {{name}}");
  const first = await createCampaign(sql, ana.id, campaign("Promo mayo", "ana-wa"), phones(5));
  const second = await createCampaign(sql, ana.id, campaign("Aviso", "ana-wa"), phones(3));
  // Two of the first campaign's recipients are past the queue: one sent, one failed.
  await sql`UPDATE taguato.campaign_recipients SET status = 'sent' WHERE id = (
    SELECT min(id) FROM taguato.campaign_recipients WHERE campaign_id = ${first.id})`;
  await sql`UPDATE taguato.campaign_recipients SET status = 'failed', reason = 'boom' WHERE id = (
    SELECT max(id) FROM taguato.campaign_recipients WHERE campaign_id = ${first.id})`;
  assert((await changeCampaign(sql, ana.id, second.id, "pause", new Date()))?.changed);
  await createCampaign(sql, beto.id, campaign("Not Ana's", "beto-wa"), phones(2));

  const page = async (cookie: string, query = "") => {
    const res = await fetch(`${app.url}/panel/campaigns${query}`, {
      headers: { cookie },
      redirect: "manual",
    });
    const html = await res.text();
    assertEquals(res.status, 200, html.slice(0, 200));
    return html;
  };

  await t.step(
    "Spanish: title, nav entry, my two campaigns newest first with counts, create options",
    async () => {
      const html = await page(`${ana.cookie}; lang=es`);
      assertStringIncludes(html, "<h1>Campañas</h1>");
      assertStringIncludes(html, 'href="/panel/campaigns" class="nav-link" aria-current="page"');
      assert(!/\son[a-z]+=/i.test(html), "no inline handlers");
      const props = islandProps(html, "Campaigns");
      const initial = props.initial as { total: number; campaigns: Record<string, unknown>[] };
      assertEquals(initial.total, 2);
      assertEquals(initial.campaigns.map((c) => [c.name, c.status]), [["Aviso", "paused"], [
        "Promo mayo",
        "scheduled",
      ]]);
      const counts = initial.campaigns[1].counts as Record<string, number>;
      assertEquals([counts.queued, counts.sent, counts.failed, counts.skipped], [3, 1, 1, 0]);
      assertEquals(props.instances, ["ana-wa"]);
      assertEquals(props.lists, [{ id: list.id, name: "Clientes", item_count: 1 }]);
      assertEquals(props.templates, [{ id: tpl.id, name: "Saludo" }]);
      assert((props.fieldHints as string[]).includes("city"), JSON.stringify(props.fieldHints));
      assertEquals([props.open, props.timeZone], [null, "America/Asuncion"]);
      // The server render shows the states and the progress in Spanish.
      assertStringIncludes(html, "En pausa");
      assertStringIncludes(html, "2 de 5");
    },
  );

  await t.step("the page's list is the API's list, counts included", async () => {
    const res = await fetch(`${app.url}/api/campaigns`, { headers: { cookie: ana.cookie } });
    const body = await res.json();
    const props = islandProps(await page(ana.cookie), "Campaigns");
    assertEquals(body.campaigns, (props.initial as { campaigns: unknown[] }).campaigns);
  });

  await t.step("English, ?campaign= opens one; a bad value opens none", async () => {
    const html = await page(`${ana.cookie}; lang=en`, `?campaign=${first.id}`);
    assertStringIncludes(html, "<h1>Campaigns</h1>");
    assertStringIncludes(html, "Campaign history");
    assertStringIncludes(html, "Paused");
    assertEquals(islandProps(html, "Campaigns").open, first.id);
    assertEquals(islandProps(await page(ana.cookie, "?campaign=x1"), "Campaigns").open, null);
  });

  await t.step("another user sees only their own, and no instance means no create", async () => {
    const props = islandProps(await page(beto.cookie), "Campaigns");
    const initial = props.initial as { campaigns: { name: string }[] };
    assertEquals(initial.campaigns.map((c) => c.name), ["Not Ana's"]);
    assertEquals([props.instances, props.lists, props.templates], [[], [], []]);
  });

  await t.step("signed out: to the login page", async () => {
    const res = await fetch(`${app.url}/panel/campaigns?campaign=1`, { redirect: "manual" });
    await res.body?.cancel();
    assertEquals(res.status, 302);
    assertEquals(
      res.headers.get("location"),
      `/panel/login?next=${encodeURIComponent("/panel/campaigns?campaign=1")}`,
    );
  });
});

Deno.test("the create form's body: pasted numbers, CSV columns, variants, a local start time in its zone, presets", () => {
  assertEquals(pastedNumbers("595 981 000-001\n\n595981000002, 595981000003;(595)981000004\n"), [
    "595981000001",
    "595981000002",
    "595981000003",
    "595981000004",
  ]);
  const csv = csvSummary(
    "c.csv",
    "\uFEFFNombre;Celular;Ciudad\nAna;595981000001;Luque\n\nBeto;595981000002;Itá\n",
  );
  assertEquals([csv.rows, csv.headers], [2, ["Nombre", "Celular", "Ciudad"]]);
  assertEquals(audienceBody({ ...EMPTY_AUDIENCE, lists: [3], csv, numberColumn: " Celular " }), {
    contact_list_ids: [3],
    csv: csv.text,
    csv_number_column: "Celular",
  });
  assertEquals(audienceBody(EMPTY_AUDIENCE), {});
  assertEquals(contentBody({ ...EMPTY_CONTENT, variants: ["A {{name}}", "  ", "B"] }), {
    variants: ["A {{name}}", "B"],
  });
  assertEquals(
    contentBody({
      ...EMPTY_CONTENT,
      mode: "template",
      templateId: "7",
      mediaUrl: " https://x.example/a.png ",
    }),
    { template_id: 7, media_url: "https://x.example/a.png", media_type: "image" },
  );

  // New York: winter is UTC-5, summer UTC-4, and 03:30 on the spring-forward day is already summer time.
  assertEquals(zonedIso("2026-01-15T09:00", "America/New_York"), "2026-01-15T14:00:00.000Z");
  assertEquals(zonedIso("2026-07-01T09:00", "America/New_York"), "2026-07-01T13:00:00.000Z");
  assertEquals(zonedIso("2026-03-08T03:30", "America/New_York"), "2026-03-08T07:30:00.000Z");
  assertEquals(zonedIso("2026-07-01T09:00", "Mars/Olympus"), null);
  assertEquals(zonedIso("tomorrow", "UTC"), null);

  // The default preset is "normal"; a draft and a start time go as the API takes them.
  const normal = initialTiming("America/Asuncion");
  assertEquals(timingBody(normal), {
    pacing: {
      time_zone: "America/Asuncion",
      min_gap_s: 8,
      max_gap_s: 20,
      long_pause_every: 100,
      long_pause_s: 300,
      daily_cap: 1000,
      typing_ms: 1500,
    },
  });
  const fast = { ...normal, pacing: { ...normal.pacing, daily_cap: "", min_gap_s: "x" } };
  assertEquals(timingBody({ ...fast, when: "draft" }).draft, true);
  // A non-number goes as typed, so the API names the field in its 400.
  assertEquals(timingBody(fast).pacing.min_gap_s, "x");
  assertEquals("daily_cap" in timingBody(fast).pacing, false);
  const at = timingBody({ ...normal, zone: "UTC", when: "at", at: "2026-05-01T09:00" });
  assertEquals(at.start_at, "2026-05-01T09:00:00.000Z");
  const quiet = timingBody({
    ...normal,
    pacing: { ...normal.pacing, quiet_start: "21:00", quiet_end: "08:00" },
  });
  assertEquals([quiet.pacing.quiet_start, quiet.pacing.quiet_end, quiet.pacing.quiet_hours_zone], [
    "21:00",
    "08:00",
    "campaign",
  ]);
  const local = timingBody({
    ...normal,
    quietZone: "recipient",
    pacing: { ...normal.pacing, quiet_start: "21:00", quiet_end: "08:00" },
  });
  assertEquals(local.pacing.quiet_hours_zone, "recipient");
  assertEquals("quiet_hours_zone" in timingBody(normal).pacing, false, "no quiet hours, no zone");

  // The buttons each state offers are the API's transitions.
  assertEquals(["draft", "scheduled", "running", "paused", "completed"].map(actionsFor), [
    ["start", "cancel"],
    ["pause", "cancel"],
    ["pause", "cancel"],
    ["resume", "cancel"],
    [],
  ]);
});
