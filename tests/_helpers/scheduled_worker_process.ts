// A scheduled-worker process for the multi-process test: its own pool, engine client and config, running
// ticks until nothing is due. `deno run -A tests/_helpers/scheduled_worker_process.ts` with DATABASE_URL,
// SANDBOX_URL, ENGINE_KEY and WORKER_OWNER set.
import { requiredEnv, workerProcessDeps } from "./worker_process.ts";
import { runScheduled } from "../../lib/messaging/mod.ts";

const deps = workerProcessDeps({ SCHEDULED_SEND_DELAY_MS: "0" });
const { sql } = deps;
let total = 0;
for (;;) {
  const run = await runScheduled(deps, { owner: requiredEnv("WORKER_OWNER"), maxMessages: 1 });
  if (run.messages === 0) break;
  total += run.sent;
}
await sql.end({ timeout: 1 });
console.log(JSON.stringify({ sent: total }));
