/**
 * The engine circuit breaker (contract §3.2, with a real half-open probe): consecutive engine failures
 * open it, open means 503 before authentication without touching the engine, and after the open period
 * exactly one probe decides between closed and open again. State is shared through Redis.
 */
import { errorBody } from "./_helpers/errors.ts";
import { createApp } from "../app.ts";
import { createRedisCache } from "../lib/core/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { TEST_REDIS_URL } from "./_helpers/app.ts";
import { needs } from "./_helpers/services.ts";
import {
  call,
  engineCalls,
  type Gateway,
  makeInstance,
  makeUser,
  startGateway,
  startWithInstance,
} from "./proxy_fixtures.ts";

const OPEN = errorBody("Service temporarily unavailable, please retry later");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function circuit(gw: Gateway, token: string) {
  return (await call(gw, "GET", "/admin/engine", { token })).body.circuit;
}

Deno.test("5 engine failures open the breaker; open answers 503 before auth; one half-open probe closes it", async () => {
  await using gw = await startGateway({ env: { CIRCUIT_BREAKER_OPEN_MS: "400" } });
  const u = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, u, "cb-inst", true);
  assertEquals(await circuit(gw, admin.token), { state: "closed", failures: 0, open_until: null });

  await gw.control.fail({ count: 5, status: 500, pathPrefix: "/instance/connectionState" });
  for (let i = 0; i < 5; i++) {
    const res = await call(gw, "GET", "/instance/connectionState/cb-inst", { token: u.token });
    assertEquals(res.status, 500, "the engine's 5xx passes through");
  }
  const state = await circuit(gw, admin.token);
  assertEquals([state.state, state.failures], ["open", 5]);
  assert(Date.parse(state.open_until) > Date.now());

  const seen = engineCalls(gw).length;
  const blocked = await call(gw, "GET", "/instance/connectionState/cb-inst", { token: u.token });
  assertEquals([blocked.status, blocked.body], [503, OPEN]);
  assert(blocked.headers.get("retry-after"));
  const anonymous = await call(gw, "POST", "/message/sendText/cb-inst", { body: { number: "1", text: "x" } });
  assertEquals([anonymous.status, anonymous.body], [503, OPEN], "checked before authentication");
  assertEquals(engineCalls(gw).length, seen, "nothing reached the engine while open");
  const panelStillWorks = await call(gw, "GET", "/health");
  assertEquals(panelStillWorks.status, 200);

  await sleep(450);
  assertEquals((await circuit(gw, admin.token)).state, "half_open");
  // One probe at a time: while it is in flight every other request is refused.
  await gw.control.latency(300);
  const burst = await Promise.all(
    Array.from({ length: 6 }, () => call(gw, "GET", "/instance/connectionState/cb-inst", { token: u.token })),
  );
  await gw.control.latency(0);
  assertEquals(burst.map((r) => r.status).sort(), [200, 503, 503, 503, 503, 503]);
  assertEquals(engineCalls(gw).length, seen + 1, "exactly one probe reached the engine");
  assertEquals(await circuit(gw, admin.token), { state: "closed", failures: 0, open_until: null });
  const after = await call(gw, "GET", "/instance/connectionState/cb-inst", { token: u.token });
  assertEquals(after.status, 200);
});

Deno.test("a failed probe re-opens the breaker; a probe refused by auth does not hold the probe lock", async () => {
  await using gw = await startGateway({
    env: { CIRCUIT_BREAKER_OPEN_MS: "300", CIRCUIT_BREAKER_THRESHOLD: "2" },
  });
  const u = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, u, "cb2", true);
  await gw.control.fail({ count: 3, status: 503, pathPrefix: "/instance/" });
  for (let i = 0; i < 2; i++) await call(gw, "GET", "/instance/connectionState/cb2", { token: u.token });
  assertEquals((await circuit(gw, admin.token)).state, "open");
  await sleep(350);
  const unauth = await call(gw, "GET", "/instance/connectionState/cb2", { token: "nope" });
  assertEquals(unauth.status, 401, "the probe slot went to a request that never reached the engine");
  const probe = await call(gw, "GET", "/instance/connectionState/cb2", { token: u.token });
  assertEquals(probe.status, 503, "the engine's 503 (third injected failure) answers the probe");
  assertEquals(probe.body.status, 503);
  const state = await circuit(gw, admin.token);
  assertEquals(state.state, "open", "the failed probe re-opened the breaker");
  await sleep(350);
  const recovered = await call(gw, "GET", "/instance/connectionState/cb2", { token: u.token });
  assertEquals(recovered.status, 200);
  assertEquals((await circuit(gw, admin.token)).state, "closed");
});

Deno.test("sends to a closed instance (engine 500 'Connection Closed' family) do not open the breaker", async () => {
  await using gw = await startGateway({ env: { CIRCUIT_BREAKER_THRESHOLD: "3" } });
  const u = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, u, "never-open");
  for (let i = 0; i < 5; i++) {
    const res = await call(gw, "POST", "/message/sendText/never-open", {
      token: u.token,
      body: { number: "595981000111", text: "x" },
    });
    assertEquals(res.status, 500);
  }
  assertEquals((await circuit(gw, admin.token)).state, "closed");
});

const onRedis = needs("redis");
onRedis.test("the breaker is shared: a second replica on the same Redis sees it open", async () => {
  await using gw = await startWithInstance("shared", { env: { CIRCUIT_BREAKER_THRESHOLD: "2" } });
  const u = gw.owner;
  const cache = await createRedisCache(TEST_REDIS_URL, gw.cachePrefix);
  const replica = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    createApp({ ...gw.deps, cache }).fetch,
  );
  try {
    await gw.control.fail({ count: 2, status: 502 });
    for (let i = 0; i < 2; i++) await call(gw, "GET", "/instance/connectionState/shared", { token: u.token });
    const res = await fetch(`http://127.0.0.1:${replica.addr.port}/instance/connectionState/shared`, {
      headers: { apikey: u.token },
    });
    assertEquals([res.status, await res.json()], [503, OPEN]);
  } finally {
    await replica.shutdown();
    await cache.close();
  }
});
