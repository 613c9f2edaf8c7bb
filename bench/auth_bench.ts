/**
 * Authenticated `GET /api/auth/me` against `GET /health` on the same gateway in one run.
 * The session lookup must not cost a database round trip once the cache is warm, so /me should stay close
 * to /health (which itself runs one `SELECT 1`). Uses real PostgreSQL and Redis, like the tests.
 */
import { startTestApp } from "../tests/_helpers/app.ts";

const app = await startTestApp();
const login = await fetch(`${app.url}/api/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(app.admin),
});
const { token } = await login.json();
if (!token) throw new Error(`login failed: ${login.status}`);
const me = { headers: { apikey: token } };

// Warm the session and user cache before measuring.
for (let i = 0; i < 50; i++) await (await fetch(`${app.url}/api/auth/me`, me)).body?.cancel();

Deno.bench({ name: "GET /health", group: "auth", baseline: true, n: 2000, warmup: 200 }, async () => {
  const res = await fetch(`${app.url}/health`);
  await res.body?.cancel();
});

Deno.bench(
  { name: "GET /api/auth/me (warm session cache)", group: "auth", n: 2000, warmup: 200 },
  async () => {
    const res = await fetch(`${app.url}/api/auth/me`, me);
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    await res.body?.cancel();
  },
);

globalThis.addEventListener("unload", () => app.close());
