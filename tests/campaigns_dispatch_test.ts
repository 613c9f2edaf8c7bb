/**
 * The campaign dispatcher against real PostgreSQL and the sandbox engine over HTTP: invalid, opted-out and
 * over-quota numbers are skipped with their reason while the rest are sent; pause, resume and cancel take
 * effect before the next send; quiet hours hold sends on a fake clock; two dispatchers on separate pools
 * never send one recipient twice; a row a crash left `sending` becomes `unknown` and is never resent; an
 * instance that drops pauses the campaign with the reason and keeps the recipient queued.
 */
import { assert, assertEquals } from "../lib/core/testing.ts";
import { connect, ManualClock } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { addOptOut, setQuotaLimits } from "../lib/messaging/mod.ts";
import { call, startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, engineRecipients, NO_BUDGET, numbers, recipientRows } from "./_helpers/campaigns.ts";
import { freePort, needs } from "./_helpers/services.ts";

const INST = "camp-inst";

Deno.test("skips invalid, opted-out and over-quota numbers with their reason and sends the rest", async () => {
  await using gw = await startWithInstance(INST);
  const [a, b, c, d] = numbers(4);
  await addOptOut(gw.db.sql, gw.owner.id, b, "api");
  await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: 2, monthly: null });
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: [a, "12ab", b, c, d] });
  assertEquals(r.status, 201);
  const result = await dispatchCampaigns(gw.deps);
  assertEquals([result.sent, result.skipped, result.completed], [2, 3, 1]);
  assertEquals((await recipientRows(gw, r.body.campaign.id)).map((x) => [x.status, x.reason]), [
    ["sent", null],
    ["skipped", "invalid"],
    ["skipped", "opted_out"],
    ["sent", null],
    ["skipped", "quota"],
  ]);
  assertEquals((await engineRecipients(gw, INST)).sort(), [a, c]);
  const got = await call(gw, "GET", `/api/campaigns/${r.body.campaign.id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.counts.sent, got.body.counts.skipped], [
    "completed",
    2,
    3,
  ]);
  // The sends are in the ledger as campaign sends with the rendered text.
  const logs = await gw.db.sql`SELECT source, status FROM taguato.message_logs WHERE source = 'campaign'`;
  assertEquals(logs.length, 2);
});

Deno.test("pause stops sends before the next one, resume continues, cancel ends the rest", async () => {
  await using gw = await startWithInstance(INST);
  const list = numbers(6);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  const id = r.body.campaign.id;
  const act = (what: string) => call(gw, "POST", `/api/campaigns/${id}/${what}`, { token: gw.owner.token });

  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 2 })).sent, 2);
  assertEquals((await act("pause")).body.campaign.status, "paused");
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  assertEquals((await engineRecipients(gw, INST)).length, 2);

  const again = await act("pause");
  assertEquals([again.status, again.body.code], [409, "campaign_state_conflict"]);
  assertEquals((await act("resume")).body.campaign.status, "scheduled");
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1 })).sent, 1);
  assertEquals((await act("cancel")).body.campaign.status, "cancelled");
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  const rows = await recipientRows(gw, id);
  assertEquals(rows.map((x) => x.status), ["sent", "sent", "sent", "cancelled", "cancelled", "cancelled"]);
  assertEquals((await engineRecipients(gw, INST)).sort(), list.slice(0, 3));
  assertEquals((await act("resume")).status, 409);
});

Deno.test("quiet hours in the campaign's time zone hold sends until they end (fake clock)", async () => {
  // 02:30 UTC is 23:30 the day before in Asunción (UTC-3): inside 22:00-07:00 local.
  const clock = new ManualClock(Date.UTC(2026, 4, 2, 2, 30));
  await using gw = await startWithInstance(INST, { clock });
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(2),
    pacing: {
      min_gap_s: 0,
      max_gap_s: 0,
      quiet_start: "22:00",
      quiet_end: "07:00",
      time_zone: "America/Asuncion",
    },
  });
  assertEquals([r.status, r.body.campaign.pacing.quiet_start, r.body.campaign.pacing.quiet_end], [
    201,
    "22:00",
    "07:00",
  ]);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  const [row] = await gw.db.sql<{ next_send_at: Date }[]>`
    SELECT next_send_at FROM taguato.campaigns WHERE id = ${r.body.campaign.id}`;
  assertEquals(row.next_send_at.toISOString(), "2026-05-02T10:00:00.000Z");
  clock.advance(7 * 3600_000 + 29 * 60_000); // 09:59 UTC = 06:59 local: still quiet
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  clock.advance(60_000);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 2);
});

Deno.test("the gap and the daily cap per instance push the next send forward (fake clock)", async () => {
  const clock = new ManualClock(Date.UTC(2026, 4, 2, 12, 0));
  await using gw = await startWithInstance(INST, { clock });
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(4),
    pacing: { min_gap_s: 30, max_gap_s: 30, daily_cap: 2 },
  });
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 1);
  clock.advance(29_000);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  clock.advance(1000);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 1);
  clock.advance(30_000);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0, "daily cap of 2 reached");
  const [row] = await gw.db.sql<{ next_send_at: Date }[]>`
    SELECT next_send_at FROM taguato.campaigns WHERE id = ${r.body.campaign.id}`;
  assertEquals(row.next_send_at.toISOString(), "2026-05-03T00:00:00.000Z");
  clock.advance(12 * 3600_000);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 1);
});

needs("postgres").test("two dispatchers on separate pools never send a recipient twice", async () => {
  await using gw = await startWithInstance(INST, { env: NO_BUDGET });
  const list = numbers(80);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  const other = connect(gw.db.url, 5);
  try {
    const second = { ...gw.deps, sql: other };
    const runs = await Promise.all([
      dispatchCampaigns(gw.deps, { maxClaims: 1000 }),
      dispatchCampaigns(second, { maxClaims: 1000 }),
    ]);
    assertEquals(runs[0].sent + runs[1].sent, 80);
    // Each claims while the other waits on the engine, so both take part.
    assert(runs[0].sent > 0 && runs[1].sent > 0, JSON.stringify(runs));
  } finally {
    await other.end();
  }
  const sent = await engineRecipients(gw, INST);
  assertEquals(sent.length, 80);
  assertEquals(new Set(sent).size, 80);
  assertEquals((await recipientRows(gw, r.body.campaign.id)).every((x) => x.status === "sent"), true);
});

Deno.test("a recipient a crash left 'sending' becomes 'unknown' and is never resent", async () => {
  const clock = new ManualClock(Date.UTC(2026, 4, 2, 12, 0));
  await using gw = await startWithInstance(INST, { clock });
  const list = numbers(3);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  const id = r.body.campaign.id;
  // What a dispatcher killed between its claim and the engine's answer leaves behind.
  await gw.db.sql`UPDATE taguato.campaign_recipients SET status = 'sending', claimed_at = ${new Date(
    clock.now(),
  )}
    WHERE id = (SELECT min(id) FROM taguato.campaign_recipients WHERE campaign_id = ${id})`;
  let res = await dispatchCampaigns(gw.deps);
  assertEquals([res.sent, res.recovered, res.completed], [2, 0, 0], "still in flight: not complete yet");
  clock.advance(11 * 60_000);
  res = await dispatchCampaigns(gw.deps);
  assertEquals([res.sent, res.recovered, res.completed], [0, 1, 1]);
  const rows = await recipientRows(gw, id);
  assertEquals(rows.map((x) => [x.status, x.reason]), [["unknown", "interrupted"], ["sent", null], [
    "sent",
    null,
  ]]);
  assertEquals((await engineRecipients(gw, INST)).sort(), list.slice(1));
});

Deno.test("an instance that drops pauses the campaign with the reason; resume sends the rest", async () => {
  await using gw = await startWithInstance(INST);
  const list = numbers(3);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  const id = r.body.campaign.id;
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1 })).sent, 1);
  await gw.control.drop(INST, 60_000);
  const res = await dispatchCampaigns(gw.deps);
  assertEquals([res.sent, res.paused], [0, 1]);
  const got = await call(gw, "GET", `/api/campaigns/${id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.campaign.status_reason], [
    "paused",
    "instance_disconnected",
  ]);
  assertEquals(got.body.counts.queued, 2, "the refused recipient is back in the queue");
  await gw.control.scan(INST, { phone: "595981000001" });
  assert((await call(gw, "POST", `/api/campaigns/${id}/resume`, { token: gw.owner.token })).status === 200);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 2);
  assertEquals((await engineRecipients(gw, INST)).sort(), list);
});

Deno.test("a transactional send goes out at once while a paced campaign waits on the same instance", async () => {
  await using gw = await startWithInstance(INST, { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } });
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(3),
    pacing: { min_gap_s: 3600, max_gap_s: 3600 },
  });
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 1);
  // The campaign's next send is an hour away; the API's own send does not queue behind it.
  const send = await call(gw, "POST", `/message/sendText/${INST}`, {
    token: gw.owner.token,
    body: { number: "595981999999", text: "código 123456" },
  });
  assertEquals(send.status, 201);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);
  assertEquals((await engineRecipients(gw, INST)).sort(), [numbers(1)[0], "595981999999"]);
  const got = await call(gw, "GET", `/api/campaigns/${r.body.campaign.id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.counts.queued], ["running", 2]);
});

Deno.test("media is downloaded once by the gateway and sent as base64; an unreachable URL pauses the campaign", async () => {
  await using gw = await startWithInstance(INST, { env: { MEDIA_ALLOW_PRIVATE: "true" } });
  let downloads = 0;
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
  await using files = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    downloads++;
    return new Response(png, { headers: { "content-type": "image/png" } });
  });
  const list = numbers(3);
  const url = `http://127.0.0.1:${files.addr.port}/promo.png`;
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list, media_url: url });
  assertEquals([r.status, r.body.campaign.media_type], [201, "image"]);
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 3);
  assertEquals(downloads, 1);
  const types = await gw.db
    .sql`SELECT DISTINCT message_type FROM taguato.message_logs WHERE source = 'campaign'`;
  assertEquals(types.map((t) => t.message_type), ["image"]);

  const gone = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(2, 10),
    media_url: `http://127.0.0.1:${freePort()}/gone.png`,
  });
  assertEquals((await dispatchCampaigns(gw.deps)).paused, 1);
  const got = await call(gw, "GET", `/api/campaigns/${gone.body.campaign.id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.campaign.status_reason, got.body.counts.queued], [
    "paused",
    "media_unavailable",
    2,
  ]);
});

Deno.test("without MEDIA_ALLOW_PRIVATE a loopback media URL is refused at create", async () => {
  await using gw = await startWithInstance(INST);
  const r = await createCampaign(gw, gw.owner.token, {
    instance: INST,
    numbers: numbers(1),
    media_url: "http://127.0.0.1:9/a.png",
  });
  assertEquals([r.status, r.body.code], [400, "media_url_private"]);
});

Deno.test("the governor pauses a campaign whose sends keep failing; after resume it weighs only new sends", async () => {
  await using gw = await startWithInstance(INST);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: numbers(40) });
  const id = r.body.campaign.id;
  await gw.control.fail({ count: 15, status: 500, pathPrefix: "/message/sendText" });
  const res = await dispatchCampaigns(gw.deps, { maxClaims: 1000 });
  assertEquals([res.failed, res.sent, res.paused], [15, 5, 1]);
  const got = await call(gw, "GET", `/api/campaigns/${id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.campaign.status_reason, got.body.counts.queued], [
    "paused",
    "governor_failures",
    20,
  ]);
  assertEquals(got.body.health, {
    score: 25,
    samples: 20,
    failed: 15,
    delivered: 0,
    read: 0,
    replied: 0,
    opted_out: 0,
  });
  assertEquals(
    (await call(gw, "POST", `/api/campaigns/${id}/resume`, { token: gw.owner.token })).status,
    200,
  );
  const after = await dispatchCampaigns(gw.deps, { maxClaims: 1000 });
  assertEquals([after.sent, after.paused, after.completed], [20, 0, 1]);
});
