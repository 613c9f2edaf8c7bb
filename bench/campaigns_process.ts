// One campaign dispatcher process for bench/campaigns_bench.ts: its own pool, engine client and config (as a
// gateway replica would have). Prints "ready", waits for a line on stdin, then claims and sends until nothing
// is due and prints {"sent": n}. `deno run -A bench/campaigns_process.ts` with DATABASE_URL, SANDBOX_URL and
// ENGINE_KEY set.
import { connect, createMemoryCache, loadConfig, silentLogger, systemClock } from "../lib/core/mod.ts";
import { createEvolutionClient } from "../lib/gateway/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";

const env = (name: string) => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const sql = connect(env("DATABASE_URL"), 2);
const deps = {
  config: loadConfig({ LOG_LEVEL: "error", CAMPAIGN_WARMUP_DAILY: "0" }),
  sql,
  dbMode: "postgres" as const,
  cache: createMemoryCache(),
  evolution: createEvolutionClient({
    baseUrl: env("SANDBOX_URL"),
    apiKey: env("ENGINE_KEY"),
    timeoutMs: 10_000,
  }),
  clock: systemClock,
  log: silentLogger,
};
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
