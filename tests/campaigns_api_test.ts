/**
 * /api/campaigns over real HTTP: create from numbers, contact lists (their variables) or a template, with
 * every validation message (and nothing created); another tenant's campaign is 404 and another tenant's
 * instance 403; list, get with counts, draft → start; the recipients page with its status filter; the
 * per-variant funnel fed by the ledger's receipts; the CSV export; and live progress over SSE.
 */
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { addContactItems, createContactList, createTemplate } from "../lib/messaging/mod.ts";
import { errorBody } from "./_helpers/errors.ts";
import { call, makeInstance, makeUser, startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, engineRecipients, NO_PACING, numbers } from "./_helpers/campaigns.ts";

const INST = "camp-api";
const MEDIA = "image, document, video, audio";

Deno.test("POST /api/campaigns rejects bad bodies with their message and creates nothing", async () => {
  await using gw = await startWithInstance(INST);
  const ok = { instance: INST, numbers: numbers(1) };
  const cases: [Record<string, unknown> | string, number, string, Record<string, string | number>?][] = [
    ["{nope", 400, "invalid_json"],
    [{ ...ok, name: "" }, 400, "campaign_name_invalid"],
    [{ ...ok, name: "x".repeat(101) }, 400, "campaign_name_invalid"],
    [{ ...ok, instance: undefined }, 400, "field_required", { field: "instance" }],
    [{ ...ok, numbers: [] }, 400, "campaign_recipients_required"],
    [{ ...ok, numbers: [5] }, 400, "campaign_numbers_invalid"],
    [{ ...ok, contact_list_ids: ["a"] }, 400, "campaign_lists_invalid", { max: 20 }],
    [{ ...ok, variants: [] }, 400, "campaign_content_required", { max: 5 }],
    [{ ...ok, variants: ["a", "b", "c", "d", "e", "f"] }, 400, "campaign_content_required", { max: 5 }],
    [{ ...ok, template_id: 1 }, 400, "campaign_content_required", { max: 5 }],
    [{ ...ok, variants: ["  "] }, 400, "campaign_variant_invalid", { max: 4096 }],
    [{ ...ok, media_url: "ftp://example.com/a.png" }, 400, "campaign_media_invalid", { types: MEDIA }],
    [{ ...ok, media_url: "https://example.com/a.gif", media_type: "gif" }, 400, "campaign_media_invalid", {
      types: MEDIA,
    }],
    [{ ...ok, media_url: "http://example.com/a.png" }, 400, "media_url_private", { field: "media_url" }],
    [{ ...ok, media_url: "https://127.0.0.1/a.png" }, 400, "media_url_private", { field: "media_url" }],
    [{ ...ok, start_at: "2026-05-01T09:00:00" }, 400, "campaign_start_invalid"],
    [{ ...ok, start_at: "tomorrow" }, 400, "campaign_start_invalid"],
    [{ ...ok, draft: "yes" }, 400, "campaign_draft_invalid"],
    [{ ...ok, pacing: { min_gap_s: -1 } }, 400, "campaign_pacing_invalid", {
      field: "min_gap_s",
      min: 0,
      max: 86400,
    }],
    [{ ...ok, pacing: { min_gap_s: 10, max_gap_s: 5 } }, 400, "campaign_pacing_invalid", {
      field: "max_gap_s",
      min: 10,
      max: 86400,
    }],
    [{ ...ok, pacing: { time_zone: "Mars/Olympus" } }, 400, "campaign_time_zone_invalid"],
    [{ ...ok, pacing: { quiet_start: "22:00" } }, 400, "campaign_quiet_hours_invalid"],
    [{ ...ok, pacing: { quiet_start: "25:00", quiet_end: "07:00" } }, 400, "campaign_quiet_hours_invalid"],
    [{ ...ok, instance: "not-mine" }, 403, "engine_instance_not_owned"],
    [{ ...ok, instance: "bad name!" }, 400, "instance_name_chars"],
    [{ ...ok, numbers: undefined, contact_list_ids: [999999] }, 404, "contact_list_not_found"],
    [{ ...ok, variants: undefined, template_id: 999999 }, 404, "template_not_found"],
  ];
  for (const [body, status, code, params] of cases) {
    const r = typeof body === "string"
      ? await call(gw, "POST", "/api/campaigns", { token: gw.owner.token, body })
      : await createCampaign(gw, gw.owner.token, body);
    assertEquals([r.status, r.body], [status, errorBody(code, params)], JSON.stringify(body));
  }
  const [{ n }] = await gw.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM taguato.campaigns`;
  assertEquals(n, 0);
});

Deno.test("a campaign from a contact list and a template renders each contact's variables", async () => {
  await using gw = await startWithInstance(INST);
  const list = await createContactList(gw.db.sql, gw.owner.id, "Clientes");
  const [a, b] = numbers(2);
  await addContactItems(gw.db.sql, gw.owner.id, list.id, [
    { phone_number: a, label: "Ana", fields: { city: "Asunción" } },
    { phone_number: b, label: "Beto", fields: { city: "Luque" } },
  ]);
  const tpl = await createTemplate(gw.db.sql, gw.owner.id, "t", "Hola {{name}} de {{city}}");
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    variants: undefined,
    template_id: tpl.id,
    contact_list_ids: [list.id],
    numbers: [a], // a duplicate of a list item: sent once
  });
  assertEquals([r.status, r.body.recipients, r.body.campaign.variants], [201, 2, [
    "Hola {{name}} de {{city}}",
  ]]);
  await dispatchCampaigns(gw.deps);
  const texts = await gw.db.sql<{ body_text: string }[]>`
    SELECT body_text FROM taguato.message_logs WHERE source = 'campaign' ORDER BY phone_number`;
  // The number also given directly keeps its contact's variables.
  assertEquals(texts.map((t) => t.body_text), ["Hola Ana de Asunción", "Hola Beto de Luque"]);
});

Deno.test("campaigns are per tenant: list, get, actions and reads of another's are 404", async () => {
  await using gw = await startWithInstance(INST);
  const eve = await makeUser(gw);
  await makeInstance(gw, eve, "eve-inst", true);
  const mine = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: numbers(3), draft: true });
  assertEquals([mine.status, mine.body.campaign.status], [201, "draft"]);
  const id = mine.body.campaign.id;
  for (
    const [method, path] of [
      ["GET", `/api/campaigns/${id}`],
      ["POST", `/api/campaigns/${id}/pause`],
      ["POST", `/api/campaigns/${id}/start`],
      ["GET", `/api/campaigns/${id}/recipients`],
      ["GET", `/api/campaigns/${id}/results`],
      ["GET", `/api/campaigns/${id}/export`],
      ["GET", `/api/campaigns/${id}/events`],
      ["GET", `/api/campaigns/abc`],
    ]
  ) {
    const r = await call(gw, method, path, { token: eve.token });
    assertEquals([r.status, r.body], [404, errorBody("campaign_not_found")], `${method} ${path}`);
  }
  assertEquals((await call(gw, "GET", "/api/campaigns", { token: eve.token })).body.total, 0);
  const list = await call(gw, "GET", "/api/campaigns?limit=1", { token: gw.owner.token });
  assertEquals([list.body.total, list.body.campaigns[0].id], [1, id]);
  assertEquals((await call(gw, "GET", "/api/campaigns?page=0", { token: gw.owner.token })).status, 400);
  assertEquals((await call(gw, "GET", "/api/campaigns")).status, 401);

  // A draft sends nothing until started.
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  const started = await call(gw, "POST", `/api/campaigns/${id}/start`, { token: gw.owner.token });
  assertEquals(started.body.campaign.status, "scheduled");
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 3);
  const got = await call(gw, "GET", `/api/campaigns/${id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.counts.sent, got.body.counts.queued], ["completed", 3, 0]);
});

Deno.test("recipients page with status filter, per-variant results from receipts, CSV export, SSE progress", async () => {
  await using gw = await startWithInstance(INST, { sandbox: { ackDelaysMs: [1, 1, 1] } });
  const list = numbers(10);
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: [...list, "nope"],
    variants: ["A {{number}}", "B {{number}}"],
    pacing: NO_PACING,
  });
  const id = r.body.campaign.id;
  const token = gw.owner.token;
  await dispatchCampaigns(gw.deps);
  assertEquals((await engineRecipients(gw, INST)).length, 10);

  const failed = await call(gw, "GET", `/api/campaigns/${id}/recipients?status=skipped`, { token });
  assertEquals(
    [failed.body.total, failed.body.recipients[0].phone_number, failed.body.recipients[0].reason],
    [
      1,
      "nope",
      "invalid",
    ],
  );
  const page = await call(gw, "GET", `/api/campaigns/${id}/recipients?limit=4&page=3`, { token });
  assertEquals([page.body.total, page.body.pages, page.body.recipients.length], [11, 3, 3]);
  const bad = await call(gw, "GET", `/api/campaigns/${id}/recipients?status=bogus`, { token });
  assertEquals([bad.status, bad.body.code], [400, "campaign_status_filter_invalid"]);

  // Receipts: mark every campaign message read in the ledger, as the engine's MESSAGES_UPDATE would.
  await gw.db.sql`UPDATE taguato.message_logs SET status = 'read' WHERE source = 'campaign'`;
  const res = await call(gw, "GET", `/api/campaigns/${id}/results`, { token });
  const total = (k: string) =>
    res.body.variants.reduce((s: number, v: Record<string, number>) => s + v[k], 0);
  assertEquals([total("recipients"), total("sent"), total("delivered"), total("read"), total("skipped")], [
    11,
    10,
    10,
    10,
    1,
  ]);
  assert(
    res.body.variants.every((v: { variant: number; text: string }) =>
      v.text.startsWith(v.variant === 1 ? "A" : "B")
    ),
  );

  const csv = await fetch(`${gw.url}/api/campaigns/${id}/export`, { headers: { apikey: token } });
  assertEquals(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  const raw = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await csv.arrayBuffer());
  const lines = raw.trimEnd().split("\n");
  assertEquals([lines.length, lines[0]], [12, "\uFEFFPhone,Variant,Status,Reason,Message status,Sent at"]);
  assertStringIncludes(lines[11], "nope,");
  assertStringIncludes(lines[11], ",skipped,invalid,");

  // The campaign is complete, so the stream sends one final progress event and ends.
  const sse = await fetch(`${gw.url}/api/campaigns/${id}/events`, { headers: { apikey: token } });
  assertEquals(sse.headers.get("content-type"), "text/event-stream");
  const text = await sse.text();
  assertStringIncludes(text, "event: progress");
  const data = JSON.parse(text.split("\n").find((l) => l.startsWith("data: "))!.slice(6));
  assertEquals([data.status, data.percent, data.done, data.total, data.final], [
    "completed",
    100,
    11,
    11,
    true,
  ]);
  assertEquals(data.counts.sent, 10);
});

Deno.test("pacing is answered as stored: canonical time zone, HH:MM quiet hours, typing before each send", async () => {
  await using gw = await startWithInstance(INST);
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(2),
    pacing: { min_gap_s: 0, max_gap_s: 0, time_zone: "america/asuncion", typing_ms: 20, daily_cap: 500 },
  });
  assertEquals(r.status, 201);
  assertEquals(r.body.campaign.pacing, {
    min_gap_s: 0,
    max_gap_s: 0,
    long_pause_every: null,
    long_pause_s: 0,
    daily_cap: 500,
    quiet_hours_zone: "campaign",
    quiet_start: null,
    quiet_end: null,
    time_zone: "America/Asuncion",
    typing_ms: 20,
  });
  const bad = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(1),
    pacing: { typing_ms: 30_001 },
  });
  assertEquals([bad.status, bad.body], [
    400,
    errorBody("campaign_pacing_invalid", { field: "typing_ms", min: 0, max: 30000 }),
  ]);
  // The engine holds each send for the typing time, then sends it.
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 2);
});

Deno.test("a campaign takes 100,000 numbers; one more is refused before anything is stored", async () => {
  await using gw = await startWithInstance(INST);
  const many = numbers(100_001);
  const over = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: many });
  assertEquals([over.status, over.body], [400, errorBody("campaign_too_many_recipients", { max: 100000 })]);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: many.slice(1) });
  assertEquals([r.status, r.body.recipients], [201, 100_000]);
  const got = await call(gw, "GET", `/api/campaigns/${r.body.campaign.id}`, { token: gw.owner.token });
  assertEquals(got.body.counts.queued, 100_000);
});

Deno.test("POST /api/campaigns honours Idempotency-Key: concurrent repeats create one campaign", async () => {
  await using gw = await startWithInstance(INST);
  const body = {
    name: "Promo",
    variants: ["Hola {{name}}"],
    pacing: NO_PACING,
    instance: INST,
    numbers: numbers(2),
  };
  const post = (b: unknown) =>
    call(gw, "POST", "/api/campaigns", {
      token: gw.owner.token,
      body: b,
      headers: { "Idempotency-Key": "camp-1" },
    });
  const answers = await Promise.all([post(body), post(body), post(body)]);
  assertEquals(answers.map((a) => a.status), [201, 201, 201]);
  assertEquals(new Set(answers.map((a) => a.body.campaign.id)).size, 1, "one campaign for one key");
  assertEquals((await call(gw, "GET", "/api/campaigns", { token: gw.owner.token })).body.total, 1);
  const other = await post({ ...body, name: "Another" });
  assertEquals(other.status, 409);
  assertEquals((await call(gw, "GET", "/api/campaigns", { token: gw.owner.token })).body.total, 1);
});
