/**
 * One outbound queue per instance: a transactional send (the API's sendText) still waiting for the engine
 * holds back the campaign running on the same instance, so it reaches the engine before the campaign's next
 * send; and two campaigns on one instance take turns (round-robin claims). The state is the ledger's
 * `sending` rows and the campaigns' claim turns in PostgreSQL, the same for every replica.
 */
import { assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { call, startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, engineRecipients, numbers } from "./_helpers/campaigns.ts";
import { eventually } from "./_helpers/engine.ts";

const INST = "queue-inst";
const TX_NUMBER = "595981999999";

Deno.test("a transactional send overtakes a running campaign on the same instance", async () => {
  await using gw = await startWithInstance(INST, { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } });
  const list = numbers(4);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  assertEquals((await dispatchCampaigns(gw.deps, { maxClaims: 1 })).sent, 1);

  // The engine is slow now: the API's send waits for it with its ledger row `sending`.
  await gw.control.latency(1500);
  const send = call(gw, "POST", `/message/sendText/${INST}`, {
    token: gw.owner.token,
    body: { number: TX_NUMBER, text: "código 123456" },
  });
  await eventually("the transactional send in flight", async () => {
    const rows = await gw.db
      .sql`SELECT 1 FROM taguato.message_logs WHERE source = 'api' AND status = 'sending'`;
    return rows.length === 1;
  });
  // The campaign is due, but steps aside while the transactional send is ahead of it.
  const meanwhile = await dispatchCampaigns(gw.deps, { maxClaims: 10 });
  assertEquals(meanwhile.sent, 0);
  assertEquals((await send).status, 201);
  await gw.control.latency(0);

  // Once it went out, the campaign goes on where it was.
  for (let i = 0; i < 100 && (await engineRecipients(gw, INST)).length < 5; i++) {
    await dispatchCampaigns(gw.deps, { maxClaims: 10 });
    await new Promise((res) => setTimeout(res, 50));
  }
  const [{ seq }] = await gw.db.sql<{ seq: string[] }[]>`
    SELECT array_agg(phone_number ORDER BY id) AS seq FROM taguato.message_logs WHERE direction = 'outbound'`;
  assertEquals(seq, [list[0], TX_NUMBER, ...list.slice(1)]);
  assertEquals((await engineRecipients(gw, INST)).sort(), [...list, TX_NUMBER].sort());
  const got = await call(gw, "GET", `/api/campaigns/${r.body.campaign.id}`, { token: gw.owner.token });
  assertEquals(got.body.campaign.status, "completed");
});

Deno.test("two running campaigns of one tenant on one instance take turns", async () => {
  // A frozen clock: both are always due at once, so only the claim turns decide the order.
  const clock = new ManualClock(Date.UTC(2026, 4, 2, 12, 0));
  await using gw = await startWithInstance(INST, { clock });
  const a = numbers(4);
  const b = numbers(4, 100);
  const ra = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: a, name: "A" });
  const rb = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: b, name: "B" });
  assertEquals([ra.status, rb.status], [201, 201]);
  const res = await dispatchCampaigns(gw.deps, { maxClaims: 100 });
  assertEquals([res.sent, res.completed], [8, 2]);
  const [{ seq }] = await gw.db.sql<{ seq: string[] }[]>`
    SELECT array_agg(phone_number ORDER BY id) AS seq FROM taguato.message_logs WHERE source = 'campaign'`;
  assertEquals(seq, [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]]);
});
