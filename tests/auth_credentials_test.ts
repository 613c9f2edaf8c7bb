// API keys through the session layer, scopes, the per-user rate limit, and the panel cookie with its
// same-origin rule for writes.
import { errorBody } from "./_helpers/errors.ts";
import { OpenAPIHono } from "@hono/zod-openapi";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { type AppEnv, errorMapper, sha256Hex } from "../lib/core/mod.ts";
import { requireAdmin, requireAuth, requireScope, revokeApiKey } from "../lib/auth/mod.ts";

const PW = "Passw0rd!";

async function insertKey(app: TestApp, userId: number, key: string, fields: Record<string, unknown> = {}) {
  const [row] = await app.db.sql<{ id: number }[]>`
    INSERT INTO taguato.api_keys (user_id, name, key_hash, key_prefix, scope, instance_names, expires_at)
    VALUES (${userId}, 'integration', ${await sha256Hex(key)}, ${key.slice(0, 8)},
            ${(fields.scope as string) ?? "full"}, ${(fields.instance_names as string[]) ?? null},
            ${(fields.expires_at as Date) ?? null})
    RETURNING id`;
  return row.id;
}

/** A small app on the same deps with the middleware stack other route modules use. */
function probe(app: TestApp) {
  const p = new OpenAPIHono<AppEnv>();
  p.use("*", async (c, next) => {
    c.set("clientIp", "127.0.0.1");
    await next();
  });
  p.onError(errorMapper(app.deps.log));
  const auth = requireAuth(app.deps);
  p.get("/read", auth, requireScope("full", "read", "send"), (c) => c.json({ key: c.var.apiKey ?? null }));
  p.post("/write", auth, requireScope("full", "read", "send"), (c) => c.json({ ok: true }));
  p.post("/send", auth, requireScope("full", "send"), (c) => c.json({ ok: true }));
  p.get("/admin", auth, requireAdmin(), (c) => c.json({ ok: true }));
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, p.fetch);
  return { base: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("API keys resolve through the same layer as sessions", async (t) => {
  const app = await startTestApp();
  const p = probe(app);
  try {
    const id = await createUser(app, "ana", PW);
    const key = "tgs_" + "a1".repeat(30);
    const keyId = await insertKey(app, id, key, { scope: "read", instance_names: ["shop"] });

    await t.step("a key authenticates as its owner and records its last use once a minute", async () => {
      const r = await call(app, "GET", "/api/auth/me", {
        token: key,
        headers: { "x-forwarded-for": "203.0.113.9" },
      });
      assertEquals([r.status, (r.body.user as { username: string }).username], [200, "ana"]);
      const [k1] = await app.db
        .sql`SELECT last_used_at, last_used_ip FROM taguato.api_keys WHERE id = ${keyId}`;
      assertEquals(k1.last_used_ip, "203.0.113.9");
      await call(app, "GET", "/api/auth/me", { token: key });
      const [k2] = await app.db.sql`SELECT last_used_at FROM taguato.api_keys WHERE id = ${keyId}`;
      assertEquals(k2.last_used_at.getTime(), k1.last_used_at.getTime());
      const seen = await call(app, "GET", "/read", { token: key, base: p.base });
      assertEquals(seen.body, { key: { id: keyId, scope: "read", instanceNames: ["shop"] } });
    });

    await t.step("scopes: a read key may only GET; a send key passes send routes", async () => {
      const w = await call(app, "POST", "/write", { token: key, base: p.base });
      assertEquals([w.status, w.body], [403, errorBody("API key scope does not allow this request")]);
      assertEquals((await call(app, "POST", "/send", { token: key, base: p.base })).status, 403);
      const sendKey = "s".repeat(64);
      await insertKey(app, id, sendKey, { scope: "send" });
      assertEquals((await call(app, "POST", "/send", { token: sendKey, base: p.base })).status, 200);
      const session = await login(app, "ana", PW);
      assertEquals((await call(app, "POST", "/write", { token: session, base: p.base })).status, 200);
      const admin = await call(app, "GET", "/admin", { token: session, base: p.base });
      assertEquals([admin.status, admin.body], [403, errorBody("Admin access required")]);
    });

    await t.step("a revoked key fails on the next request; expired keys never work", async () => {
      assertEquals(await revokeApiKey(app.deps, keyId, { userId: id }), true);
      const r = await call(app, "GET", "/api/auth/me", { token: key });
      assertEquals([r.status, r.body], [401, errorBody("Invalid or expired session token")]);
      const old = "e".repeat(64);
      await insertKey(app, id, old, { expires_at: new Date(Date.now() - 1000) });
      assertEquals((await call(app, "GET", "/api/auth/me", { token: old })).status, 401);
    });

    await t.step("an API key is not accepted from the cookie", async () => {
      const live = "c".repeat(64);
      await insertKey(app, id, live);
      const r = await call(app, "GET", "/api/auth/me", { headers: { cookie: `taguato_session=${live}` } });
      assertEquals(r.status, 401);
    });
  } finally {
    await p.close();
    await app.close();
  }
});

Deno.test("the per-user rate limit: exactly rate_limit requests per 60 s window; admins exempt", async () => {
  const app = await startTestApp();
  const p = probe(app);
  try {
    await createUser(app, "ana", PW, { rate_limit: 3 });
    await createUser(app, "boss", PW, { role: "admin", rate_limit: 1 });
    const token = await login(app, "ana", PW);
    for (let i = 0; i < 3; i++) {
      const r = await call(app, "GET", "/read", { token, base: p.base });
      assertEquals(r.status, 200);
      assertEquals([r.headers.get("ratelimit-limit"), r.headers.get("ratelimit-remaining")], [
        "3",
        String(2 - i),
      ]);
    }
    const r = await call(app, "GET", "/read", { token, base: p.base });
    assertEquals([r.status, r.body], [429, { ...errorBody("Rate limit exceeded"), limit: 3, window: "60s" }]);
    const retry = Number(r.headers.get("retry-after"));
    assert(retry > 0 && retry <= 60, String(retry));
    assertEquals(r.headers.get("ratelimit-remaining"), "0");
    assertEquals(r.headers.get("ratelimit-reset"), String(retry));
    // /api/auth/* is not rate-limited per user (contract §1.3).
    assertEquals((await call(app, "GET", "/api/auth/me", { token })).status, 200);
    const boss = await login(app, "boss", PW);
    for (let i = 0; i < 3; i++) {
      assertEquals((await call(app, "GET", "/read", { token: boss, base: p.base })).status, 200);
    }
  } finally {
    await p.close();
    await app.close();
  }
});

Deno.test("the panel cookie authenticates; cookie writes must be same-origin", async () => {
  await using app = await startTestApp();
  await createUser(app, "ana", PW);
  const panelLogin = async () => {
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: { "x-taguato-client": "panel" },
    });
    return r.headers.get("set-cookie")!.split(";")[0];
  };
  const cookie = await panelLogin();
  const me = await call(app, "GET", "/api/auth/me", { headers: { cookie } });
  assertEquals(me.status, 200);
  assert(
    me.headers.get("set-cookie")?.includes("Max-Age=86400"),
    "the cookie is refreshed as the session slides",
  );

  for (const origin of [undefined, "https://evil.example", "null"]) {
    const headers: Record<string, string> = { cookie };
    if (origin) headers.origin = origin;
    const r = await call(app, "POST", "/api/auth/logout", { headers });
    assertEquals([r.status, r.body], [403, errorBody("CSRF check failed")], String(origin));
  }
  assertEquals((await call(app, "GET", "/api/auth/me", { headers: { cookie } })).status, 200);

  const out = await call(app, "POST", "/api/auth/logout", { headers: { cookie, origin: app.url } });
  assertEquals(out.status, 200);
  assert(/^taguato_session=;/.test(out.headers.get("set-cookie")!));
  assertEquals((await call(app, "GET", "/api/auth/me", { headers: { cookie } })).status, 401);

  const second = await panelLogin();
  const all = await call(app, "POST", "/api/auth/logout-all", {
    headers: { cookie: second, "sec-fetch-site": "same-origin" },
  });
  assertEquals(all.status, 200);

  // The apikey header is not a browser-ambient credential: no Origin rule for it.
  const token = await login(app, "ana", PW);
  const api = await call(app, "POST", "/api/auth/logout", {
    token,
    headers: { origin: "https://evil.example" },
  });
  assertEquals(api.status, 200);
});
