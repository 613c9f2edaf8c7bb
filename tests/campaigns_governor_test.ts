/**
 * The ban-risk governor against real PostgreSQL and the sandbox engine over HTTP, on a fake clock: a new
 * number's warm-up budget holds a campaign at 40 sends per 24 h and replies (sandbox inbound messages)
 * raise it; sends that never get a delivery receipt (sandbox acks held) pause the campaign with
 * `governor_undelivered`; the instance's health and its sample history are read over the API, and the
 * cleanup worker purges old samples.
 */
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { ensureGatewayWebhook } from "../lib/messaging/mod.ts";
import { runCleanup } from "../lib/ops/mod.ts";
import { call, makeUser, startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, NO_BUDGET, numbers } from "./_helpers/campaigns.ts";
import { eventually } from "./_helpers/engine.ts";

const INST = "gov-inst";
const MINUTE = 60_000;

Deno.test("a new number's warm-up budget holds a campaign at 40 sends a day; replies raise it", async () => {
  const clock = new ManualClock(Date.now());
  await using gw = await startWithInstance(INST, { clock });
  await ensureGatewayWebhook(gw.deps, INST);
  const list = numbers(60);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  const id = r.body.campaign.id;
  const token = gw.owner.token;

  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1000 })).sent, 40);
  let got = await call(gw, "GET", `/api/campaigns/${id}`, { token });
  assertEquals([got.body.campaign.status, got.body.campaign.status_reason, got.body.counts.queued], [
    "running",
    "governor_budget",
    20,
  ]);
  let health = await call(gw, "GET", `/api/campaigns/health/${INST}`, { token });
  assertEquals(health.status, 200);
  assertEquals([health.body.score, health.body.daily_budget, health.body.sent_24h, health.body.age_days], [
    100,
    40,
    40,
    0,
  ]);
  // Still inside the sample's slot: nothing more goes out.
  assertEquals((await dispatchCampaigns(gw.deps)).sent, 0);

  // Ten recipients answer: reply share 10/40, engagement 2 × 0.25 = 0.5, budget 40 × 1.25 = 50.
  for (const from of list.slice(0, 10)) await gw.control.inbound(INST, { from, text: "gracias" });
  await eventually("the replies in the ledger", async () => {
    const [{ n }] = await gw.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE direction = 'inbound'`;
    return n === 10;
  });
  clock.advance(5 * MINUTE);
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1000 })).sent, 10);
  health = await call(gw, "GET", `/api/campaigns/health/${INST}`, { token });
  // Now 10 replies of 50 sends: engagement 0.4, so the live budget is 48 (the slot's sample said 50).
  assertEquals([health.body.daily_budget, health.body.sent_24h, health.body.signals.replied], [48, 50, 10]);
  assertEquals(health.body.history.map((h: { daily_budget: number }) => h.daily_budget), [40, 50]);
  got = await call(gw, "GET", `/api/campaigns/${id}`, { token });
  assertEquals([got.body.campaign.status_reason, got.body.counts.sent], ["governor_budget", 50]);

  // Another tenant cannot read this instance's health; a bad name is a 400.
  const other = await makeUser(gw);
  const denied = await call(gw, "GET", `/api/campaigns/health/${INST}`, { token: other.token });
  assertEquals([denied.status, denied.body.code], [403, "engine_instance_not_owned"]);
  assertEquals((await call(gw, "GET", `/api/campaigns/health/bad%20name`, { token })).status, 400);
  const doc = await call(gw, "GET", "/api/openapi.json");
  assertEquals(Object.keys(doc.body.paths["/api/campaigns/health/{instance}"]), ["get"]);

  // A day later the oldest sends left the window: the rest goes out.
  clock.advance(24 * 60 * MINUTE);
  const later = await dispatchCampaigns(gw.deps, { maxClaims: 1000 });
  assertEquals([later.sent, later.completed], [10, 1]);

  // Samples older than 30 days go with the cleanup worker.
  clock.advance(31 * 24 * 60 * MINUTE);
  const cleaned = await runCleanup(gw.deps);
  assertEquals(cleaned.instance_health_purged, 3);
});

Deno.test("sends that never get a delivery receipt pause the campaign with governor_undelivered", async () => {
  const clock = new ManualClock(Date.now());
  await using gw = await startWithInstance(INST, { clock, env: NO_BUDGET });
  await gw.control.acks("manual");
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: numbers(40) });
  const id = r.body.campaign.id;
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 20 })).sent, 20);
  // Receipts get 10 minutes; after that the 20 unreceipted sends count as undelivered.
  clock.advance(11 * MINUTE);
  const res = await dispatchCampaigns(gw.deps, { maxClaims: 1000 });
  assertEquals([res.sent, res.paused], [10, 1]);
  const got = await call(gw, "GET", `/api/campaigns/${id}`, { token: gw.owner.token });
  assertEquals([got.body.campaign.status, got.body.campaign.status_reason, got.body.counts.queued], [
    "paused",
    "governor_undelivered",
    10,
  ]);
  const health = await call(gw, "GET", `/api/campaigns/health/${INST}`, { token: gw.owner.token });
  assertEquals([health.body.score, health.body.reason, health.body.daily_budget], [
    50,
    "governor_undelivered",
    null,
  ]);
  assertEquals([health.body.signals.matured, health.body.signals.delivered], [20, 0]);
});

Deno.test("delivered and read receipts from the engine keep the score at 100 and count as engagement", async () => {
  const clock = new ManualClock(Date.now());
  await using gw = await startWithInstance(INST, { clock, sandbox: { ackDelaysMs: [1, 1, 1] } });
  await ensureGatewayWebhook(gw.deps, INST);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: numbers(25) });
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1000 })).sent, 25);
  await eventually("the read receipts in the ledger", async () => {
    const [{ n }] = await gw.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE source = 'campaign' AND status = 'read'`;
    return n === 25;
  });
  clock.advance(11 * MINUTE);
  const health = await call(gw, "GET", `/api/campaigns/health/${INST}`, { token: gw.owner.token });
  assertEquals([health.body.score, health.body.reason, health.body.engagement], [100, null, 1]);
  assertEquals([health.body.signals.delivered, health.body.signals.read], [25, 25]);
  // Read by all: the budget is 1.5 × the warm-up curve.
  assertEquals(health.body.daily_budget, 60);
  assert(r.status === 201);
});
