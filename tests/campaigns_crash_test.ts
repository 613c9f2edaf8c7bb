/**
 * A real gateway process (`deno run -A main.ts`, its in-process campaign loop) sends a campaign through
 * the sandbox engine and is killed with SIGKILL mid-way; a dispatcher started afterwards finishes it. No
 * recipient reaches the engine twice and none is lost: each ends in a final state, and one the killed
 * process left `sending` is `unknown`, never resent.
 */
import { assert, assertEquals } from "../lib/core/testing.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import { startWithInstance } from "./proxy_fixtures.ts";
import { createCampaign, engineRecipients, NO_BUDGET, numbers, recipientRows } from "./_helpers/campaigns.ts";
import { freePort, needs } from "./_helpers/services.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const INST = "crash-inst";
const TOTAL = 1500;

needs("postgres").test("SIGKILL mid-campaign, then a restart: nobody sent twice, nobody lost", async () => {
  await using gw = await startWithInstance(INST, {
    env: NO_BUDGET,
    sandbox: { ackDelaysMs: [60_000, 60_000, 60_000] },
  });
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: numbers(TOTAL) });
  assertEquals(r.status, 201);
  const id = r.body.campaign.id;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/root",
      DATABASE_URL: gw.db.url,
      EVOLUTION_API_URL: gw.sandbox.url,
      AUTHENTICATION_API_KEY: ENGINE_KEY,
      GATEWAY_PORT: String(freePort()),
      ADMIN_PASSWORD: "Crash123!x",
      LOG_LEVEL: "error",
      ...NO_BUDGET,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const sentSoFar = async () =>
    (await gw.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM taguato.campaign_recipients
      WHERE campaign_id = ${id} AND status <> 'queued'`)[0].n;
  try {
    for (let i = 0; i < 1200 && await sentSoFar() < 100; i++) await new Promise((res) => setTimeout(res, 50));
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
  const atKill = await sentSoFar();
  assert(atKill >= 100 && atKill < TOTAL, `killed mid-way (${atKill} of ${TOTAL} claimed)`);

  // The restart: anything still `sending` belonged to the dead process (nothing else runs now).
  let recovered = 0;
  for (let pass = 0; pass < 100; pass++) {
    const res = await dispatchCampaigns(gw.deps, { maxClaims: 1000, staleSendingMs: 0 });
    recovered += res.recovered;
    if (res.completed > 0 || (res.sent === 0 && res.skipped === 0)) break;
  }
  const rows = await recipientRows(gw, id);
  assertEquals(rows.filter((x) => !["sent", "unknown"].includes(x.status)).map((x) => x.status), []);
  const unknown = new Set(rows.filter((x) => x.status === "unknown").map((x) => x.phone_number));
  assertEquals(unknown.size, recovered);
  assert(recovered <= 1, "one dispatcher loop has at most one send in flight");
  const sent = await engineRecipients(gw, INST);
  assertEquals(new Set(sent).size, sent.length, "no number reached the engine twice");
  const sentRows = rows.filter((x) => x.status === "sent").map((x) => x.phone_number);
  const onEngine = new Set(sent);
  assert(sentRows.every((p) => onEngine.has(p)), "every 'sent' recipient is on the engine");
  assert(sent.every((p) => sentRows.includes(p) || unknown.has(p)), "the engine got nothing else");
  const got = await gw.db.sql<{ status: string }[]>`SELECT status FROM taguato.campaigns WHERE id = ${id}`;
  assertEquals(got[0].status, "completed");
});
