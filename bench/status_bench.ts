/**
 * `GET /api/status` warm (served from the 15 s shared cache) against `GET /health` on the same gateway in
 * one run, with real PostgreSQL and Redis like the tests. A warm status answer is one cache read and a
 * rate-limit hit, so it should stay close to /health (a `SELECT 1` plus a Redis PING). The cold
 * computation (live checks plus six reads) is measured too, with the cache dropped before each call.
 */
import { STATUS_CACHE_KEY } from "../lib/status/mod.ts";
import { startTestApp } from "../tests/_helpers/app.ts";

const app = await startTestApp();
let client = 0;
// A fresh client address per call keeps the per-address limit (20/s) out of the measurement.
const status = () =>
  fetch(`${app.url}/api/status`, {
    headers: { "x-forwarded-for": `198.51.${(client++ >> 8) & 255}.${client & 255}` },
  });

// Warm: a first call stores the document.
await (await status()).body?.cancel();

Deno.bench({ name: "GET /health", group: "status", baseline: true, n: 2000, warmup: 200 }, async () => {
  const res = await fetch(`${app.url}/health`);
  await res.body?.cancel();
});

Deno.bench(
  { name: "GET /api/status (warm, X-Cache: HIT)", group: "status", n: 2000, warmup: 200 },
  async () => {
    const res = await status();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.body?.cancel();
  },
);

Deno.bench({ name: "GET /api/status (cold, computed)", group: "status", n: 200, warmup: 20 }, async (b) => {
  await app.deps.cache.del(STATUS_CACHE_KEY);
  b.start();
  const res = await status();
  b.end();
  if (res.headers.get("x-cache") !== "MISS") throw new Error("expected a miss");
  await res.body?.cancel();
});

globalThis.addEventListener("unload", () => void app.close());
