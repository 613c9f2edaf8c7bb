// One campaign dispatcher process for bench/campaigns_bench.ts: its own pool, engine client and config (as a
// gateway replica would have). Prints "ready", waits for a line on stdin, then claims and sends until nothing
// is due and prints {"sent": n}. `deno run -A bench/campaigns_process.ts` with DATABASE_URL, SANDBOX_URL and
// ENGINE_KEY set.
import { workerProcessDeps } from "../tests/_helpers/worker_process.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";

const deps = workerProcessDeps({ CAMPAIGN_WARMUP_DAILY: "0" });
const { sql } = deps;
// Warm the pool and the code paths before the start signal, so the figure is dispatch, not start-up.
await sql`SELECT 1`;
console.log("ready");
const reader = Deno.stdin.readable.getReader();
await reader.read();
let sent = 0;
for (;;) {
  const r = await dispatchCampaigns(deps, { maxClaims: 1000 });
  sent += r.sent;
  if (r.sent === 0 && r.completed === 0 && r.skipped === 0) break;
}
await sql.end({ timeout: 1 });
console.log(JSON.stringify({ sent }));
