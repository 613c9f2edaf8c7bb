/**
 * What the proxy sends upstream and what it sends back: the engine key replaces the caller's credential,
 * cookies/authorization/origin stay at the gateway, X-Forwarded-* are set, hop-by-hop and cookie headers
 * of the answer are dropped, large answers stream, and transport failures become 504/502. An echo server
 * stands in for the engine where the test must see the raw upstream request.
 */
import { freePort } from "./_helpers/services.ts";
import { errorBody } from "./_helpers/errors.ts";
import { createEvolutionClient } from "../lib/gateway/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import { call, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function startEcho() {
  const seen: Seen[] = [];
  const big = "x".repeat(3 * 1024 * 1024);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(req.headers),
      body: await req.text(),
    });
    if (url.pathname.includes("big")) {
      // No Content-Length: streamed through.
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < big.length; i += 65536) {
            c.enqueue(new TextEncoder().encode(big.slice(i, i + 65536)));
          }
          c.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/plain" } });
    }
    return Response.json({ ok: true }, {
      status: 201,
      headers: { "x-engine": "1", "set-cookie": "engine=1; Path=/", "keep-alive": "timeout=5" },
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, seen, big, stop: () => server.shutdown() };
}

/** The gateway with its engine client pointed at a fresh echo server, and an admin session. */
async function startEchoGateway() {
  const gw = await startGateway();
  const echo = startEcho();
  const close = async () => {
    await echo.stop();
    await gw.close();
  };
  try {
    const admin = await makeUser(gw, { role: "admin" });
    gw.deps.evolution = createEvolutionClient({ baseUrl: echo.url, apiKey: ENGINE_KEY });
    return { gw, echo, admin, [Symbol.asyncDispose]: close };
  } catch (err) {
    await close();
    throw err;
  }
}

Deno.test("the proxy swaps in the engine key, strips credentials and browser context, and sets X-Forwarded-*", async () => {
  await using setup = await startEchoGateway();
  const { gw, echo, admin } = setup;
  const res = await call(gw, "POST", "/chat/findChats/any", {
    token: admin.token,
    body: { where: {} },
    headers: {
      cookie: "taguato_session=secret",
      authorization: "Bearer secret",
      origin: "https://evil.example",
      "x-forwarded-for": "203.0.113.9",
      "x-custom": "kept",
      "x-request-id": "client-trace-7",
    },
  });
  assertEquals([res.status, res.body], [201, { ok: true }]);
  assertEquals(res.headers.get("x-engine"), "1");
  // A proxied answer carries the edge's headers like any other: the client's request id, the security set.
  assertEquals(res.headers.get("x-request-id"), "client-trace-7");
  assertEquals(res.headers.get("x-content-type-options"), "nosniff");
  assertEquals([res.headers.get("set-cookie"), res.headers.get("keep-alive")], [null, null]);
  const [up] = echo.seen;
  assertEquals([up.method, up.path, up.body], [
    "POST",
    "/chat/findChats/any",
    JSON.stringify({ where: {} }),
  ]);
  assertEquals(up.headers.apikey, ENGINE_KEY);
  assertEquals([up.headers.cookie, up.headers.authorization, up.headers.origin], [
    undefined,
    undefined,
    undefined,
  ]);
  assertEquals(up.headers["x-custom"], "kept");
  // The loopback peer is a trusted proxy by default, so the client is the forwarded address.
  assertEquals(up.headers["x-forwarded-for"], "203.0.113.9");
  assertEquals(up.headers["x-forwarded-proto"], "http");
  assertEquals(up.headers["accept-encoding"], "identity");
});

Deno.test("the forwarded query is rebuilt from the route's allowed keys", async () => {
  await using setup = await startEchoGateway();
  const { gw, echo, admin } = setup;
  const res = await call(gw, "GET", "/group/findGroupInfos/any?groupJid=120363@g.us", { token: admin.token });
  assertEquals(res.status, 201);
  assertEquals(echo.seen.map((s) => s.path), ["/group/findGroupInfos/any?groupJid=120363%40g.us"]);
});

Deno.test("a large unsized engine answer streams through unchanged", async () => {
  await using setup = await startEchoGateway();
  const { gw, echo, admin } = setup;
  const res = await fetch(`${gw.url}/chat/big/any`, { headers: { apikey: admin.token } });
  assertEquals(res.status, 200);
  const text = await res.text();
  assertEquals(text.length, echo.big.length);
  assert(text === echo.big);
});

Deno.test("transport failures: timeout → 504, unreachable engine or a cut connection → 502", async () => {
  await using gw = await startGateway({
    env: { EVOLUTION_TIMEOUT_MS: "300", CIRCUIT_BREAKER_THRESHOLD: "100" },
  });
  const u = await makeUser(gw);
  await makeInstance(gw, u, "t-inst", true);
  await gw.control.latency(600);
  const slow = await call(gw, "GET", "/instance/connectionState/t-inst", { token: u.token });
  assertEquals([slow.status, slow.body], [504, errorBody("WhatsApp API timeout")]);
  await gw.control.latency(0);
  await gw.control.fail({ status: 0, pathPrefix: "/chat/" });
  const cut = await call(gw, "POST", "/chat/findChats/t-inst", { token: u.token, body: {} });
  assertEquals([cut.status, cut.body], [502, errorBody("WhatsApp API unavailable")]);
  const deadPort = freePort();
  gw.deps.evolution = createEvolutionClient({ baseUrl: `http://127.0.0.1:${deadPort}`, apiKey: ENGINE_KEY });
  const down = await call(gw, "GET", "/instance/connectionState/t-inst", { token: u.token });
  assertEquals([down.status, down.body], [502, errorBody("WhatsApp API unavailable")]);
  const list = await call(gw, "GET", "/instance/fetchInstances", { token: u.token });
  assertEquals([list.status, list.body], [502, errorBody("WhatsApp API unavailable")]);
});

Deno.test("engine admin areas: /manager and /docs need an admin session; tenants cannot set or read engine webhooks", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, u, "w-inst");
  for (const path of ["/manager", "/manager/assets/app.js", "/docs", "/docs/swagger.json"]) {
    const anon = await call(gw, "GET", path);
    assertEquals([anon.status, anon.body], [401, errorBody("Missing apikey header")]);
    const user = await call(gw, "GET", path, { token: u.token });
    const msg = path.startsWith("/manager") ? "Admin access required for Manager" : "Admin access required";
    assertEquals([user.status, user.body], [403, errorBody(msg)]);
    const adm = await call(gw, "GET", path, { token: admin.token });
    assertEquals(adm.body.response.message, [`Cannot GET ${path}`], "forwarded to the engine for admins");
  }
  const hook = { webhook: { enabled: true, url: "https://hooks.example.com/x", events: [] } };
  const denied = await call(gw, "POST", "/webhook/set/w-inst", { token: u.token, body: hook });
  assertEquals([denied.status, denied.body], [
    400,
    errorBody("Engine webhooks are managed by the gateway; use /api/webhooks"),
  ]);
  const byAdmin = await call(gw, "POST", "/webhook/set/w-inst", { token: admin.token, body: hook });
  assertEquals(byAdmin.status, 201);
  // Reading it back would show the gateway's callback URL and its ingest token.
  const peek = await call(gw, "GET", "/webhook/find/w-inst", { token: u.token });
  assertEquals([peek.status, peek.body], [
    400,
    errorBody("Engine webhooks are managed by the gateway; use /api/webhooks"),
  ]);
  const adminPeek = await call(gw, "GET", "/webhook/find/w-inst", { token: admin.token });
  assertEquals([adminPeek.status, adminPeek.body.url], [200, "https://hooks.example.com/x"]);
});

Deno.test("paths outside the engine's prefixes are not the proxy's: plain 404", async () => {
  await using gw = await startGateway();
  const admin = await makeUser(gw, { role: "admin" });
  for (const path of ["/instancex/connect/a", "/foo/bar/baz", "/api/nothing-here"]) {
    const res = await call(gw, "GET", path, { token: admin.token });
    assertEquals([res.status, res.body], [404, errorBody("Not found")]);
  }
});
