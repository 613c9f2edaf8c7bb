/**
 * Rate limits of the proxied routes (contract §3.1): `users.rate_limit` per 60 s (admins included), and
 * a per-client-IP limit on sends; every 429 carries Retry-After and the RateLimit-* headers, and the
 * counters live in Redis so replicas share them.
 */
import { createApp } from "../app.ts";
import { createRedisCache } from "../lib/core/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { TEST_REDIS_URL } from "./_helpers/app.ts";
import { needs } from "./_helpers/services.ts";
import { errorBody } from "./_helpers/errors.ts";
import { type Answer, call, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";

function assertLimitHeaders(res: Answer, limit: number) {
  assertEquals(res.headers.get("ratelimit-limit"), String(limit));
  assertEquals(res.headers.get("ratelimit-remaining"), "0");
  const reset = Number(res.headers.get("ratelimit-reset"));
  assert(reset >= 1 && reset <= 60, `reset ${reset}`);
  assertEquals(res.headers.get("retry-after"), String(reset));
}

Deno.test("users.rate_limit on proxied routes: the request after the limit is 429 with headers; admins too", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw, { rateLimit: 3 });
  const admin = await makeUser(gw, { role: "admin", rateLimit: 2 });
  await makeInstance(gw, u, "rl-inst");
  for (let i = 0; i < 3; i++) {
    const ok = await call(gw, "GET", "/instance/connectionState/rl-inst", { token: u.token });
    assertEquals(ok.status, 200);
    assertEquals(ok.headers.get("ratelimit-remaining"), String(2 - i));
  }
  const limited = await call(gw, "GET", "/instance/connectionState/rl-inst", { token: u.token });
  assertEquals([limited.status, limited.body], [429, { ...errorBody("Rate limit exceeded"), limit: 3 }]);
  assertLimitHeaders(limited, 3);

  for (let i = 0; i < 2; i++) await call(gw, "GET", "/instance/fetchInstances", { token: admin.token });
  const adminLimited = await call(gw, "GET", "/instance/fetchInstances", { token: admin.token });
  assertEquals([adminLimited.status, adminLimited.body], [429, {
    ...errorBody("Rate limit exceeded"),
    limit: 2,
  }]);
});

Deno.test("sends per client IP: over SEND_RATE_LIMIT_PER_SECOND in one second is 429 Too many requests", async () => {
  await using gw = await startGateway({ env: { SEND_RATE_LIMIT_PER_SECOND: "3" } });
  const a = await makeUser(gw);
  const b = await makeUser(gw);
  await makeInstance(gw, a, "ip-a", true);
  await makeInstance(gw, b, "ip-b", true);
  const body = { number: "595981000111", text: "hola" };
  const results = [];
  for (const [user, inst] of [[a, "ip-a"], [b, "ip-b"], [a, "ip-a"], [b, "ip-b"]] as const) {
    results.push(await call(gw, "POST", `/message/sendText/${inst}`, { token: user.token, body }));
  }
  assertEquals(results.map((r) => r.status), [201, 201, 201, 429], "one budget per IP, whoever the user");
  const limited = results[3];
  assertEquals(limited.body, { ...errorBody("Too many requests"), limit: 3, window: "1s" });
  assertEquals(limited.headers.get("ratelimit-limit"), "3");
  assertEquals(limited.headers.get("retry-after"), "1");
  const other = await call(gw, "GET", "/instance/connectionState/ip-a", { token: a.token });
  assertEquals(other.status, 200, "only sends are limited per IP");
  await new Promise((r) => setTimeout(r, 1100));
  const later = await call(gw, "POST", "/message/sendText/ip-a", { token: a.token, body });
  assertEquals(later.status, 201, "a new second, a new window");
});

needs("redis").test("the per-user limit is shared by replicas through Redis", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw, { rateLimit: 2 });
  await makeInstance(gw, u, "rep-inst");
  const cache = await createRedisCache(TEST_REDIS_URL, gw.cachePrefix);
  const replica = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    createApp({ ...gw.deps, cache }).fetch,
  );
  try {
    const first = await call(gw, "GET", "/instance/connectionState/rep-inst", { token: u.token });
    const second = await fetch(`http://127.0.0.1:${replica.addr.port}/instance/connectionState/rep-inst`, {
      headers: { apikey: u.token },
    });
    await second.body?.cancel();
    const third = await call(gw, "GET", "/instance/connectionState/rep-inst", { token: u.token });
    assertEquals([first.status, second.status, third.status], [200, 200, 429]);
  } finally {
    await replica.shutdown();
    await cache.close();
  }
});
