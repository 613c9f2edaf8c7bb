/**
 * Instance routes with gateway logic (contract §1.7.3-1.7.6): create (validation, atomic limit and name
 * reservation, rollback), fetchInstances filtering, delete by owner/admin only, and the pass-through
 * lifecycle routes.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import { eventually } from "./_helpers/accounts.ts";
import {
  call,
  engineSaw,
  grant,
  makeApiKey,
  makeInstance,
  makeUser,
  startGateway,
  startWithInstance,
} from "./proxy_fixtures.ts";

const rows = async (gw: Awaited<ReturnType<typeof startGateway>>, name: string) =>
  (await gw.db.sql`SELECT user_id FROM taguato.user_instances WHERE instance_name = ${name}`).length;

Deno.test("POST /instance/create validates the name and refuses Telegram with 400 before touching the engine", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw);
  const cases: [unknown, string][] = [
    [{}, "instanceName is required"],
    ["not json", "instanceName is required"],
    [{ instanceName: "a".repeat(101) }, "Instance name must be between 1 and 100 characters"],
    [
      { instanceName: "-bad name" },
      "Instance name must start with a letter or number and contain only letters, numbers, underscores and hyphens",
    ],
    [
      { instanceName: "tg-bot", integration: "TELEGRAM", token: "1:x" },
      "Telegram instances are not supported yet",
    ],
  ];
  for (const [body, error] of cases) {
    const res = await call(gw, "POST", "/instance/create", { token: u.token, body });
    assertEquals({ status: res.status, body: res.body }, { status: 400, body: errorBody(error) });
  }
  assertEquals(engineSaw(gw, "/instance/create"), []);
});

Deno.test("POST /instance/create: 20 concurrent creates with max_instances 3 give exactly 3 instances", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw, { maxInstances: 3 });
  const results = await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) => call(gw, "POST", "/instance/create", { token: u.token, body: { instanceName: `race-${i}` } }),
    ),
  );
  const created = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status === 403);
  assertEquals([created.length, refused.length], [3, 17]);
  for (const r of refused) {
    assertEquals(r.body, { ...errorBody("Instance limit reached"), current: 3, max: 3 });
  }
  const [{ count }] = await gw.db
    .sql`SELECT count(*)::int AS count FROM taguato.user_instances WHERE user_id = ${u.id}`;
  assertEquals(count, 3);
  assertEquals(engineSaw(gw, "POST /instance/create").length, 3, "refused creates never reach the engine");
  const listed = await call(gw, "GET", "/instance/fetchInstances", { token: u.token });
  assertEquals(listed.body.length, 3);
});

Deno.test("POST /instance/create: a taken name (any case, any owner) is 409; the gateway webhook is registered", async () => {
  await using gw = await startGateway();
  const a = await makeUser(gw);
  const b = await makeUser(gw);
  const ok = await call(gw, "POST", "/instance/create", { token: a.token, body: { instanceName: "Shop-1" } });
  assertEquals(ok.status, 201);
  assertEquals(ok.body.instance.instanceName, "Shop-1");
  for (const name of ["Shop-1", "shop-1", "SHOP-1"]) {
    const res = await call(gw, "POST", "/instance/create", { token: b.token, body: { instanceName: name } });
    assertEquals({ status: res.status, body: res.body }, {
      status: 409,
      body: errorBody("Instance name already in use"),
    });
  }
  const hook = await fetch(`${gw.sandbox.url}/webhook/find/Shop-1`, { headers: { apikey: ENGINE_KEY } });
  const row = await hook.json();
  assert(
    row?.enabled && String(row.url).startsWith(gw.url + "/internal/engine-events/"),
    JSON.stringify(row),
  );
});

Deno.test("POST /instance/create rolls the ownership row back when the engine refuses, fails or is unreachable", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw);
  // The engine refuses: a name it already has (created behind the gateway's back).
  await fetch(`${gw.sandbox.url}/instance/create`, {
    method: "POST",
    headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
    body: JSON.stringify({ instanceName: "ghost", integration: "WHATSAPP-BAILEYS" }),
  }).then((r) => r.body?.cancel());
  const refused = await call(gw, "POST", "/instance/create", {
    token: u.token,
    body: { instanceName: "ghost" },
  });
  assertEquals(refused.status, 403);
  assertEquals(refused.body.response.message, ['This name "ghost" is already in use.']);
  assertEquals(await rows(gw, "ghost"), 0);

  await gw.control.fail({ pathPrefix: "/instance/create", status: 500 });
  const failed = await call(gw, "POST", "/instance/create", {
    token: u.token,
    body: { instanceName: "boom" },
  });
  assertEquals(failed.status, 500);
  assertEquals(await rows(gw, "boom"), 0);

  await gw.control.fail({ pathPrefix: "/instance/create", status: 0 });
  const cut = await call(gw, "POST", "/instance/create", { token: u.token, body: { instanceName: "cut" } });
  assertEquals([cut.status, cut.body.error, typeof cut.body.details], [
    502,
    "WhatsApp API unavailable",
    "string",
  ]);
  assertEquals(await rows(gw, "cut"), 0);

  const again = await call(gw, "POST", "/instance/create", { token: u.token, body: { instanceName: "cut" } });
  assertEquals(again.status, 201, "a rolled-back name can be created again");
});

Deno.test("POST /instance/create: while the engine has not answered, the reserved name is taken but not reachable", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw, { maxInstances: 1 });
  await gw.control.latency(1_500);
  const creating = call(gw, "POST", "/instance/create", { token: u.token, body: { instanceName: "slow" } });
  await eventually(async () => (await rows(gw, "slow")) === 1 || undefined, "the pending reservation");
  const early = await call(gw, "GET", "/instance/connectionState/slow", { token: u.token });
  assertEquals({ status: early.status, body: early.body }, {
    status: 403,
    body: errorBody("You don't own this instance"),
  });
  const other = await call(gw, "POST", "/instance/create", {
    token: u.token,
    body: { instanceName: "other" },
  });
  assertEquals(other.status, 403, "the pending name counts against max_instances");
  assertEquals((await creating).status, 201);
  await gw.control.latency(0);
  assertEquals((await call(gw, "GET", "/instance/connectionState/slow", { token: u.token })).status, 200);
});

Deno.test("GET /instance/fetchInstances lists only owned and granted instances (admin: all), status normalised", async () => {
  await using gw = await startGateway();
  const alice = await makeUser(gw);
  const bob = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, alice, "a-one", true);
  await makeInstance(gw, bob, "b-one");
  await makeInstance(gw, bob, "b-two");
  await grant(gw, "b-two", alice, bob);
  const mine = await call(gw, "GET", "/instance/fetchInstances", { token: alice.token });
  assertEquals(mine.status, 200);
  assertEquals(mine.headers.get("cache-control"), "no-store");
  const byName = Object.fromEntries(
    mine.body.map((i: { name: string; connectionStatus: string }) => [i.name, i.connectionStatus]),
  );
  assertEquals(byName, { "a-one": "open", "b-two": "close" });
  const all = await call(gw, "GET", "/instance/fetchInstances", { token: admin.token });
  assertEquals(all.body.map((i: { name: string }) => i.name).sort(), ["a-one", "b-one", "b-two"]);
  const foreign = await call(gw, "GET", "/instance/fetchInstances?instanceName=b-one", {
    token: alice.token,
  });
  assertEquals([foreign.status, foreign.body], [403, errorBody("You don't own this instance")]);
  const key = await makeApiKey(gw, alice, "read", ["a-one"]);
  const narrowed = await call(gw, "GET", "/instance/fetchInstances", { token: key });
  assertEquals(narrowed.body.map((i: { name: string }) => i.name), ["a-one"]);
});

Deno.test("DELETE /instance/delete: grantees may not delete; the owner can; a 404 from the engine counts as gone", async () => {
  await using gw = await startGateway();
  const owner = await makeUser(gw);
  const grantee = await makeUser(gw);
  await makeInstance(gw, owner, "doomed", true);
  await grant(gw, "doomed", grantee, owner);
  const denied = await call(gw, "DELETE", "/instance/delete/doomed", { token: grantee.token });
  assertEquals([denied.status, denied.body], [403, errorBody("You don't own this instance")]);
  assertEquals(engineSaw(gw, "DELETE /instance/delete"), []);
  const ok = await call(gw, "DELETE", "/instance/delete/doomed/", { token: owner.token });
  assertEquals([ok.status, ok.body], [200, { message: "Instance deleted", instance: "doomed" }]);
  assertEquals(await rows(gw, "doomed"), 0);
  const gone = await fetch(`${gw.sandbox.url}/instance/connectionState/doomed`, {
    headers: { apikey: ENGINE_KEY },
  });
  assertEquals(gone.status, 404);
  await gone.body?.cancel();
  // Already gone from the engine: still deleted here.
  await makeInstance(gw, owner, "vanished");
  await fetch(`${gw.sandbox.url}/instance/delete/vanished`, {
    method: "DELETE",
    headers: { apikey: ENGINE_KEY },
  })
    .then((r) => r.body?.cancel());
  const vanished = await call(gw, "DELETE", "/instance/delete/vanished", { token: owner.token });
  assertEquals(vanished.status, 200);
  assertEquals(await rows(gw, "vanished"), 0);
  const after = await call(gw, "GET", "/instance/connectionState/doomed", { token: grantee.token });
  assertEquals(after.status, 403, "the grant went with the instance");
});

Deno.test("connect, connectionState, restart (PUT from old clients forwarded as POST) and logout pass through", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw);
  const created = await call(gw, "POST", "/instance/create", {
    token: u.token,
    body: { instanceName: "life" },
  });
  assertEquals(created.status, 201);
  const qr = await call(gw, "GET", "/instance/connect/life?number=595981000001", { token: u.token });
  assertEquals(qr.status, 200);
  assert(typeof qr.body.pairingCode === "string" && qr.body.base64.startsWith("data:image/png;base64,"));
  await gw.control.scan("life");
  const state = await call(gw, "GET", "/instance/connectionState/life", { token: u.token });
  assertEquals(state.body, { instance: { instanceName: "life", state: "open" } });
  const restarted = await call(gw, "PUT", "/instance/restart/life", { token: u.token });
  assertEquals(restarted.status, 200);
  assertEquals(engineSaw(gw, "POST /instance/restart/life").length, 1);
  const out = await call(gw, "DELETE", "/instance/logout/life", { token: u.token });
  assertEquals(out.status, 200);
  const closed = await call(gw, "GET", "/instance/connectionState/life", { token: u.token });
  assertEquals(closed.body.instance.state, "close");
});

Deno.test("API key scopes: read keys only read, send keys also send, instance lists are honoured", async () => {
  await using gw = await startWithInstance("k-one");
  const u = gw.owner;
  await makeInstance(gw, u, "k-two", true);
  const read = await makeApiKey(gw, u, "read");
  const send = await makeApiKey(gw, u, "send", ["k-one"]);
  const text = { number: "595981000111", text: "hola" };
  const scope = errorBody("API key scope does not allow this request");
  assertEquals((await call(gw, "GET", "/instance/connectionState/k-one", { token: read })).status, 200);
  assertEquals((await call(gw, "POST", "/chat/findChats/k-one", { token: read, body: {} })).status, 200);
  const r1 = await call(gw, "POST", "/message/sendText/k-one", { token: read, body: text });
  assertEquals([r1.status, r1.body], [403, scope]);
  const r2 = await call(gw, "GET", "/instance/connect/k-one", { token: read });
  assertEquals([r2.status, r2.body], [403, scope]);
  assertEquals((await call(gw, "POST", "/message/sendText/k-one", { token: send, body: text })).status, 201);
  const r3 = await call(gw, "POST", "/message/sendText/k-two", { token: send, body: text });
  assertEquals([r3.status, r3.body], [403, errorBody("You don't own this instance")]);
  const r4 = await call(gw, "DELETE", "/instance/logout/k-one", { token: send });
  assertEquals([r4.status, r4.body], [403, scope]);
  const r5 = await call(gw, "POST", "/instance/create", { token: send, body: { instanceName: "k-three" } });
  assertEquals([r5.status, r5.body], [403, scope]);
});
