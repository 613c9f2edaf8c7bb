// A scheduled-worker process for the multi-process test: its own pool, engine client and config, running
// ticks until nothing is due. `deno run -A tests/_helpers/scheduled_worker_process.ts` with DATABASE_URL,
// SANDBOX_URL, ENGINE_KEY and WORKER_OWNER set.
import { connect, createMemoryCache, loadConfig, silentLogger, systemClock } from "../../lib/core/mod.ts";
import { createEvolutionClient } from "../../lib/gateway/mod.ts";
import { runScheduled } from "../../lib/messaging/mod.ts";

const env = (name: string) => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const sql = connect(env("DATABASE_URL"), 2);
const deps = {
  config: loadConfig({ LOG_LEVEL: "error", SCHEDULED_SEND_DELAY_MS: "0" }),
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
let total = 0;
for (;;) {
  const run = await runScheduled(deps, { owner: env("WORKER_OWNER"), maxMessages: 1 });
  if (run.messages === 0) break;
  total += run.sent;
}
await sql.end({ timeout: 1 });
console.log(JSON.stringify({ sent: total }));
