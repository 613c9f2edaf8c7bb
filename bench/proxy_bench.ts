/**
 * `POST /message/sendText/{instance}` through the gateway (auth, breaker, per-IP limit, ownership, ledger
 * row before and after, proxy) against the same call straight to the sandbox engine, in one run
 * (DESIGN §7: report ratios). Real PostgreSQL and Redis, like the tests; the sandbox acks after 1 ms and
 * the instance is open. A warm-up loop also prints requests/s, p50 and p99 of each path, since
 * Deno.bench reports avg/p75/p99 only.
 */
import { ENGINE_KEY } from "../tests/_helpers/app.ts";
import { makeInstance, makeUser, startGateway } from "../tests/proxy_fixtures.ts";

const gw = await startGateway({
  // The per-IP send limit would otherwise be the thing measured.
  env: { SEND_RATE_LIMIT_PER_SECOND: "1000000" },
  sandbox: { ackDelaysMs: [1, 1, 1] },
});
const user = await makeUser(gw);
await makeInstance(gw, user, "bench-inst", true);
const body = JSON.stringify({ number: "595981000111", text: "hola desde el bench" });

const viaGateway = {
  url: `${gw.url}/message/sendText/bench-inst`,
  init: { method: "POST", headers: { apikey: user.token, "content-type": "application/json" }, body },
};
const direct = {
  url: `${gw.sandbox.url}/message/sendText/bench-inst`,
  init: { method: "POST", headers: { apikey: ENGINE_KEY, "content-type": "application/json" }, body },
};

async function send(target: typeof direct) {
  const res = await fetch(target.url, target.init);
  if (res.status !== 201) throw new Error(`status ${res.status}: ${await res.text()}`);
  await res.body?.cancel();
}

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Warm-up that doubles as a latency sample (caches, connections, JIT).
async function sample(name: string, target: typeof direct, n = 500) {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await send(target);
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  return { name, rps: Math.round((n / total) * 1000), p50: pct(times, 50), p99: pct(times, 99) };
}

const rows = [await sample("direct to sandbox", direct), await sample("through the gateway", viaGateway)];
console.log("\nsequential sample, 500 sends each:");
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(20)} ${String(r.rps).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${
      r.p99.toFixed(2)
    } ms`,
  );
}
console.log(`  gateway/direct p50 ratio: ${(rows[1].p50 / rows[0].p50).toFixed(2)}x\n`);

Deno.bench({
  name: "sendText direct to the sandbox",
  group: "sendText",
  baseline: true,
  n: 1500,
  warmup: 100,
}, async () => {
  await send(direct);
});

Deno.bench(
  { name: "sendText through the gateway", group: "sendText", n: 1500, warmup: 100 },
  async () => {
    await send(viaGateway);
  },
);

// The same hop without the ledger's two commits: what the proxy path itself costs.
const stateVia = `${gw.url}/instance/connectionState/bench-inst`;
const stateDirect = `${gw.sandbox.url}/instance/connectionState/bench-inst`;
Deno.bench(
  { name: "connectionState direct", group: "connectionState", baseline: true, n: 1500, warmup: 100 },
  async () => {
    await (await fetch(stateDirect, { headers: { apikey: ENGINE_KEY } })).body?.cancel();
  },
);
Deno.bench(
  { name: "connectionState through the gateway", group: "connectionState", n: 1500, warmup: 100 },
  async () => {
    const res = await fetch(stateVia, { headers: { apikey: user.token } });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.body?.cancel();
  },
);

globalThis.addEventListener("unload", () => gw.close());
