/**
 * Authenticated `GET /api/auth/me` against `GET /health` on the same gateway in one run.
 * The session lookup must not cost a database round trip once the cache is warm, so /me should stay close
 * to /health (which itself runs one `SELECT 1`). Uses real PostgreSQL and Redis, like the tests.
 *
 * And the anti-enumeration cost of a failed login (moved here from tests/auth_test.ts): a wrong password
 * for an unknown username must cost an argon2 verification like one for a known user. The known path
 * also counts the failure and writes its audit row, so "unknown" reads somewhat faster than its baseline;
 * well under half of it (the old test's limit) would mean the verification was skipped.
 */
import { startTestApp } from "../tests/_helpers/app.ts";
import { createUser } from "../tests/_helpers/auth_client.ts";

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

await createUser(app, "bench_known", "Passw0rd!");
let client = 0;
// One failure per client address (the per-IP limit stays out of the way), and the known account's
// counter is cleared outside the measured part so it never locks (a locked account answers early).
async function failedLogin(username: string, b: Deno.BenchContext) {
  client++;
  await app.db.sql`UPDATE taguato.users SET failed_login_attempts = 0, locked_until = NULL
    WHERE username = 'bench_known'`;
  b.start();
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": `198.51.${(client >> 8) & 255}.${client & 255}`,
    },
    body: JSON.stringify({ username, password: "Wrong123!" }),
  });
  await res.body?.cancel();
  b.end();
  if (res.status !== 401) throw new Error(`status ${res.status}`);
}

Deno.bench(
  { name: "failed login, known username", group: "login", baseline: true, n: 40, warmup: 5 },
  async (b) => await failedLogin("bench_known", b),
);
Deno.bench(
  { name: "failed login, unknown username (same argon2 cost)", group: "login", n: 40, warmup: 5 },
  async (b) => await failedLogin("bench_nobody_at_all", b),
);

globalThis.addEventListener("unload", () => app.close());
