/**
 * Campaign dispatch with pacing at zero against the sandbox engine over HTTP: a 10,000-recipient campaign
 * sent by one dispatcher, then by two dispatchers on separate PostgreSQL pools (as two gateway processes
 * would be) sharing the campaign through FOR UPDATE SKIP LOCKED. Each run prints messages/s. Real
 * PostgreSQL, like the tests; the sandbox shares this process's event loop, so the figures are a floor.
 */
import { connect } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { startWithInstance } from "../tests/proxy_fixtures.ts";
import { createCampaign, numbers } from "../tests/_helpers/campaigns.ts";

const RECIPIENTS = 10_000;
const gw = await startWithInstance("bench-camp", {
  cache: "memory",
  sandbox: { ackDelaysMs: [60_000, 60_000, 60_000] },
});
const second = { ...gw.deps, sql: connect(gw.db.url, 5) };
let run = 0;

async function campaign() {
  const r = await createCampaign(gw, gw.owner.token, {
    instance: "bench-camp",
    numbers: numbers(RECIPIENTS, run++ * RECIPIENTS),
  });
  if (r.status !== 201) throw new Error(`create: ${r.status}`);
}

// Each dispatcher drains until nothing is due.
async function drain(deps: typeof gw.deps) {
  let sent = 0;
  for (;;) {
    const r = await dispatchCampaigns(deps, { maxClaims: 1000 });
    sent += r.sent;
    if (r.sent === 0 && r.completed === 0) return sent;
  }
}

async function measure(name: string, dispatchers: (typeof gw.deps)[]) {
  await campaign();
  const t0 = performance.now();
  const sent = (await Promise.all(dispatchers.map(drain))).reduce((a, b) => a + b, 0);
  const s = (performance.now() - t0) / 1000;
  if (sent !== RECIPIENTS) throw new Error(`${name}: sent ${sent}`);
  console.log(
    `${name}: ${RECIPIENTS} messages in ${s.toFixed(1)} s = ${(RECIPIENTS / s).toFixed(0)} messages/s`,
  );
}

Deno.bench(
  { name: "10,000-recipient campaign, one dispatcher", group: "campaign", n: 1, warmup: 0 },
  async () => {
    await measure("one dispatcher", [gw.deps]);
  },
);

Deno.bench(
  { name: "10,000-recipient campaign, two dispatchers", group: "campaign", n: 1, warmup: 0 },
  async () => {
    await measure("two dispatchers", [gw.deps, second]);
  },
);

globalThis.addEventListener("unload", async () => {
  await second.sql.end();
  await gw.close();
});
