/**
 * Many engines (issue 12 item 2): two sandbox engines on their own ports. New instances go to the enabled
 * engine with the most free capacity; every call about an instance reaches its own engine only;
 * fetchInstances merges both; an engine that goes down opens only its own breaker; a disabled engine gets
 * no new instances; /admin/engines validates its input and is for admins only; the panel page lists them.
 */
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { DEFAULT_ENGINE_ID } from "../lib/gateway/mod.ts";
import { runReconnect } from "../lib/ops/mod.ts";
import { errorBody } from "./_helpers/errors.ts";
import { islandProps, panelUser } from "./_helpers/panel_session.ts";
import { runAt } from "./_helpers/scheduled.ts";
import { createCampaign, numbers } from "./_helpers/campaigns.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { addSandboxEngine, eventually, sawRequest } from "./_helpers/engine.ts";
import { call, type Gateway, makeUser, startGateway, type TestUser } from "./proxy_fixtures.ts";

const TO = "595981000222";

async function createVia(gw: Gateway, user: TestUser, name: string) {
  return await call(gw, "POST", "/instance/create", { token: user.token, body: { instanceName: name } });
}

async function engineOf(gw: Gateway, name: string): Promise<number | null> {
  const [row] = await gw.db.sql<{ engine_id: number }[]>`
    SELECT engine_id FROM taguato.user_instances WHERE instance_name = ${name}`;
  return row?.engine_id ?? null;
}

/** The gateway (engine A = the default sandbox) plus engine B, a user and an admin. */
async function twoEngines(env: Record<string, string> = {}, b: { capacity?: number | null } = {}) {
  const gw = await startGateway({ env });
  const engineB = await addSandboxEngine(gw, { name: "engine-b", capacity: b.capacity ?? null });
  const user = await makeUser(gw, { maxInstances: 20 });
  const admin = await makeUser(gw, { role: "admin" });
  const close = async () => {
    await engineB.stop();
    await gw.close();
  };
  return { gw, engineB, user, admin, [Symbol.asyncDispose]: close };
}

Deno.test("POST /instance/create places each instance on the enabled engine with the most free capacity", async () => {
  await using t = await twoEngines({}, { capacity: 3 });
  const { gw, engineB, user, admin } = t;
  const limit = await call(gw, "PUT", `/admin/engines/${DEFAULT_ENGINE_ID}`, {
    token: admin.token,
    body: { capacity: 2 },
  });
  assertEquals([limit.status, limit.body.engine.capacity], [200, 2]);
  // free (A, B): (2,3) → B; (2,2) tie → A, the lowest id; (1,2) → B; (1,1) → A; (0,1) → B; (0,0) → none.
  const expected = [engineB.id, DEFAULT_ENGINE_ID, engineB.id, DEFAULT_ENGINE_ID, engineB.id];
  for (const [i, engine] of expected.entries()) {
    const res = await createVia(gw, user, `place-${i}`);
    assertEquals(res.status, 201, `place-${i}: ${JSON.stringify(res.body)}`);
    assertEquals(await engineOf(gw, `place-${i}`), engine, `place-${i}`);
  }
  // Each engine really holds exactly its own instances.
  const onB = sawRequest(engineB.log, "POST /instance/create").length;
  assertEquals(onB, 3);
  const onA = sawRequest(gw.engineLog, "POST /instance/create").length;
  assertEquals(onA, 2);
  const full = await createVia(gw, user, "place-full");
  assertEquals([full.status, full.body], [503, errorBody("No engine has room for a new instance")]);
  assertEquals(await engineOf(gw, "place-full"), null, "the refused create left no row");

  const list = await call(gw, "GET", "/admin/engines", { token: admin.token });
  assertEquals(list.status, 200);
  const usage = list.body.engines.map((e: Record<string, unknown>) => [e.id, e.instances, e.capacity, e.up]);
  assertEquals(usage, [[DEFAULT_ENGINE_ID, 2, 2, true], [engineB.id, 3, 3, true]]);
  assert(!JSON.stringify(list.body).includes(engineB.key), "the engine key never leaves the gateway");
});

Deno.test("a send on an instance of engine B reaches B only; its receipts come back to the gateway", async () => {
  await using t = await twoEngines();
  const { gw, engineB, user } = t;
  // B is unlimited and empty, A unlimited and empty: the tie goes to A, so fill A once first.
  assertEquals((await createVia(gw, user, "on-a")).status, 201);
  assertEquals((await createVia(gw, user, "on-b")).status, 201);
  assertEquals([await engineOf(gw, "on-a"), await engineOf(gw, "on-b")], [DEFAULT_ENGINE_ID, engineB.id]);
  // The gateway webhook was registered on the instance's own engine.
  assertEquals(sawRequest(engineB.log, "/webhook/set/on-b").length, 1);
  assertEquals(sawRequest(gw.engineLog, "on-b"), []);
  await engineB.control.scan("on-b", { phone: "595981000009" });

  const aBefore = gw.engineLog.length;
  const sent = await call(gw, "POST", "/message/sendText/on-b", {
    token: user.token,
    body: { number: TO, text: "hola desde B" },
  });
  assertEquals(sent.status, 201, JSON.stringify(sent.body));
  assertEquals(sawRequest(engineB.log, "POST /message/sendText/on-b").length, 1);
  assertEquals(gw.engineLog.slice(aBefore).filter((l) => !l.includes("/_sandbox/")), [], "A saw nothing");

  // Engine events from B are accepted: the receipt advances the ledger row.
  const id = sent.body.key.id as string;
  const status = await eventually("a receipt from engine B", async () => {
    const [row] = await gw.db.sql<{ status: string }[]>`
      SELECT status FROM taguato.message_logs WHERE engine_message_id = ${id}`;
    return ["delivered", "read"].includes(row?.status) ? row.status : null;
  });
  assert(["delivered", "read"].includes(status));

  // Typed calls of the workers route the same way.
  const state = await gw.deps.evolution.connectionState("on-b");
  assertEquals(state.instance.state, "open");
  const listed = (await gw.deps.evolution.fetchInstances()).map((i) => i.name).sort();
  assertEquals(listed, ["on-a", "on-b"]);

  // The reconnect worker finds a dropped instance on B and reconnects it there (A's is open: left alone).
  await gw.control.scan("on-a", { phone: "595981000008" });
  await engineB.control.drop("on-b", 300);
  const connectsBefore = sawRequest(engineB.log, "/instance/connect/on-b").length;
  const r = await runReconnect(gw.deps, { settleMs: 3000 });
  assertEquals(r.reconnected, ["on-b"]);
  assertEquals(sawRequest(engineB.log, "/instance/connect/on-b").length, connectsBefore + 1);
  assertEquals(sawRequest(gw.engineLog, "/instance/connect/on-b"), []);
});

Deno.test("GET /instance/fetchInstances merges every engine, still only the caller's instances", async () => {
  await using t = await twoEngines();
  const { gw, engineB, user, admin } = t;
  const other = await makeUser(gw);
  for (const [who, name] of [[user, "mine-a"], [user, "mine-b"], [other, "theirs-a"], [other, "theirs-b"]]) {
    assertEquals((await createVia(gw, who as TestUser, name as string)).status, 201);
  }
  assertEquals(await engineOf(gw, "mine-b"), engineB.id);
  const mine = await call(gw, "GET", "/instance/fetchInstances", { token: user.token });
  assertEquals(mine.status, 200);
  assertEquals(mine.body.map((i: { name: string }) => i.name).sort(), ["mine-a", "mine-b"]);
  assertEquals(mine.headers.get("x-engines-unavailable"), null);
  const all = await call(gw, "GET", "/instance/fetchInstances", { token: admin.token });
  assertEquals(all.body.map((i: { name: string }) => i.name).sort(), [
    "mine-a",
    "mine-b",
    "theirs-a",
    "theirs-b",
  ]);
  const one = await call(gw, "GET", "/instance/fetchInstances?instanceName=mine-b", { token: user.token });
  assertEquals([one.status, one.body.map((i: { name: string }) => i.name)], [200, ["mine-b"]]);
});

Deno.test("engine B down: B's instances get 502 then the breaker's 503, A's keep working, the list skips B", async () => {
  await using t = await twoEngines({ CIRCUIT_BREAKER_THRESHOLD: "2", CIRCUIT_BREAKER_OPEN_MS: "60000" });
  const { gw, engineB, user, admin } = t;
  assertEquals((await createVia(gw, user, "keep-a")).status, 201);
  assertEquals((await createVia(gw, user, "lose-b")).status, 201);
  assertEquals(await engineOf(gw, "lose-b"), engineB.id);
  await engineB.stop();

  for (let i = 0; i < 2; i++) {
    const down = await call(gw, "GET", "/instance/connectionState/lose-b", { token: user.token });
    assertEquals([down.status, down.body], [502, errorBody("WhatsApp API unavailable")]);
  }
  const open = await call(gw, "GET", "/instance/connectionState/lose-b", { token: user.token });
  assertEquals([open.status, open.body], [
    503,
    errorBody("Service temporarily unavailable, please retry later"),
  ]);
  const anonymous = await call(gw, "POST", "/message/sendText/lose-b", { body: { number: TO, text: "x" } });
  assertEquals(anonymous.status, 503, "B's breaker answers before authentication");

  const a = await call(gw, "GET", "/instance/connectionState/keep-a", { token: user.token });
  assertEquals(a.status, 200, "A's instances are not affected");
  const engine = await call(gw, "GET", "/admin/engine", { token: admin.token });
  assertEquals(engine.body.circuit.state, "closed", "the default engine's breaker stays closed");

  const list = await call(gw, "GET", "/instance/fetchInstances", { token: user.token });
  assertEquals([list.status, list.body.map((i: { name: string }) => i.name)], [200, ["keep-a"]]);
  assertEquals(list.headers.get("x-engines-unavailable"), "1");

  // Placement skips an engine whose breaker is open, even though it has the most room.
  assertEquals((await createVia(gw, user, "while-b-down")).status, 201);
  assertEquals(await engineOf(gw, "while-b-down"), DEFAULT_ENGINE_ID);

  const engines = await call(gw, "GET", "/admin/engines", { token: admin.token });
  const b = engines.body.engines.find((e: { id: number }) => e.id === engineB.id);
  assertEquals([b.up, b.circuit.state], [false, "open"]);
});

Deno.test("a disabled engine gets no new instances; the ones on it stay reachable", async () => {
  await using t = await twoEngines();
  const { gw, engineB, user, admin } = t;
  assertEquals((await createVia(gw, user, "first-a")).status, 201);
  assertEquals((await createVia(gw, user, "stays-b")).status, 201);
  assertEquals(await engineOf(gw, "stays-b"), engineB.id);
  const off = await call(gw, "PUT", `/admin/engines/${engineB.id}`, {
    token: admin.token,
    body: { enabled: false },
  });
  assertEquals([off.status, off.body.engine.enabled], [200, false]);
  for (const name of ["after-1", "after-2", "after-3"]) {
    assertEquals((await createVia(gw, user, name)).status, 201);
    assertEquals(await engineOf(gw, name), DEFAULT_ENGINE_ID, name);
  }
  const reach = await call(gw, "GET", "/instance/connectionState/stays-b", { token: user.token });
  assertEquals(reach.status, 200);
  assertEquals(sawRequest(engineB.log, "/instance/connectionState/stays-b").length, 1);
  const list = await call(gw, "GET", "/instance/fetchInstances", { token: user.token });
  assert(list.body.some((i: { name: string }) => i.name === "stays-b"), "still listed");

  // With every engine disabled there is nowhere to put an instance.
  await call(gw, "PUT", `/admin/engines/${DEFAULT_ENGINE_ID}`, {
    token: admin.token,
    body: { enabled: false },
  });
  const none = await createVia(gw, user, "nowhere");
  assertEquals([none.status, none.body.code], [503, "engine_capacity_full"]);
  // An engine that holds instances cannot be deleted (disable it instead).
  const del = await call(gw, "DELETE", `/admin/engines/${engineB.id}`, { token: admin.token });
  assertEquals([del.status, del.body.code], [409, "engine_in_use"]);
});

Deno.test("/admin/engines: clear 400s that change nothing, 409 on a taken name, 403 for non-admins", async () => {
  await using gw = await startGateway();
  const admin = await makeUser(gw, { role: "admin" });
  const user = await makeUser(gw);
  const good = { name: "spare", url: "http://127.0.0.1:9/", api_key: "k-123" };
  const cases: [unknown, string][] = [
    ["not an object", "invalid_json"],
    [{ ...good, name: "" }, "engine_name_invalid"],
    [{ ...good, name: "x".repeat(101) }, "engine_name_invalid"],
    [{ url: good.url, api_key: "k" }, "engine_name_invalid"],
    [{ ...good, url: "ftp://engine:21" }, "engine_url_invalid"],
    [{ ...good, url: "not a url" }, "engine_url_invalid"],
    [{ ...good, url: "http://user:pw@engine:8080" }, "engine_url_invalid"],
    [{ ...good, url: "http://engine:8080/?x=1" }, "engine_url_invalid"],
    [{ ...good, url: 42 }, "engine_url_invalid"],
    [{ ...good, api_key: "" }, "engine_api_key_invalid"],
    [{ ...good, api_key: "k".repeat(501) }, "engine_api_key_invalid"],
    [{ ...good, capacity: -1 }, "engine_capacity_invalid"],
    [{ ...good, capacity: 1.5 }, "engine_capacity_invalid"],
    [{ ...good, capacity: "10" }, "engine_capacity_invalid"],
    [{ ...good, enabled: "yes" }, "engine_enabled_invalid"],
  ];
  for (const [body, code] of cases) {
    const res = await call(gw, "POST", "/admin/engines", { token: admin.token, body });
    assertEquals([res.status, res.body.code], [400, code], JSON.stringify(body));
  }
  const count = async () => (await gw.db.sql`SELECT id FROM taguato.engines`).length;
  assertEquals(await count(), 1, "no bad request added an engine");

  const created = await call(gw, "POST", "/admin/engines", { token: admin.token, body: good });
  assertEquals(created.status, 201);
  assertEquals(created.body.engine, {
    ...created.body.engine,
    name: "spare",
    url: "http://127.0.0.1:9",
    capacity: null,
    enabled: true,
    instances: 0,
    is_default: false,
  });
  const id = created.body.engine.id;
  const [stored] = await gw.db.sql<
    { api_key_enc: string }[]
  >`SELECT api_key_enc FROM taguato.engines WHERE id = ${id}`;
  assert(!stored.api_key_enc.includes("k-123"), "the key is stored sealed");
  const dup = await call(gw, "POST", "/admin/engines", {
    token: admin.token,
    body: { ...good, name: "SPARE" },
  });
  assertEquals([dup.status, dup.body.code], [409, "engine_name_taken"]);

  const patches: [string, unknown, number, string][] = [
    [`/admin/engines/${id}`, {}, 400, "no_fields_to_update"],
    [`/admin/engines/${id}`, { capacity: -5 }, 400, "engine_capacity_invalid"],
    [`/admin/engines/${id}`, { name: "default" }, 409, "engine_name_taken"],
    [`/admin/engines/${DEFAULT_ENGINE_ID}`, { url: "http://elsewhere:8080" }, 400, "engine_default_managed"],
    [`/admin/engines/${DEFAULT_ENGINE_ID}`, { api_key: "other" }, 400, "engine_default_managed"],
    ["/admin/engines/999", { capacity: 1 }, 404, "engine_not_found"],
    ["/admin/engines/abc", { capacity: 1 }, 404, "engine_not_found"],
  ];
  for (const [path, body, status, code] of patches) {
    const res = await call(gw, "PUT", path, { token: admin.token, body });
    assertEquals([res.status, res.body.code], [status, code], `${path} ${JSON.stringify(body)}`);
  }
  const after = await call(gw, "GET", "/admin/engines", { token: admin.token });
  const spare = after.body.engines.find((e: { id: number }) => e.id === id);
  assertEquals(
    [spare.name, spare.capacity, spare.up],
    ["spare", null, false],
    "unchanged; nothing listens on :9",
  );
  const renamed = await call(gw, "PUT", `/admin/engines/${id}`, {
    token: admin.token,
    body: { name: "spare-2", capacity: 10, api_key: "k-456" },
  });
  assertEquals([renamed.status, renamed.body.engine.name, renamed.body.engine.capacity], [
    200,
    "spare-2",
    10,
  ]);

  const delDefault = await call(gw, "DELETE", `/admin/engines/${DEFAULT_ENGINE_ID}`, { token: admin.token });
  assertEquals([delDefault.status, delDefault.body.code], [400, "engine_default_managed"]);

  for (
    const [method, path] of [["GET", "/admin/engines"], ["POST", "/admin/engines"], [
      "PUT",
      `/admin/engines/${id}`,
    ], ["DELETE", `/admin/engines/${id}`]]
  ) {
    const res = await call(gw, method, path, { token: user.token, ...(method !== "GET" && { body: good }) });
    assertEquals(res.status, 403, `${method} ${path}`);
  }
  const anonymous = await call(gw, "GET", "/admin/engines");
  assertEquals(anonymous.status, 401);

  const deleted = await call(gw, "DELETE", `/admin/engines/${id}`, { token: admin.token });
  assertEquals(deleted.status, 200);
  assertEquals(await count(), 1);
  const audit = await gw.db.sql<{ action: string; details: Record<string, unknown> }[]>`
    SELECT action, details FROM taguato.audit_log WHERE resource_type = 'engine' ORDER BY id`;
  assertEquals(audit.map((a) => a.action), ["engine_create", "engine_update", "engine_delete"]);
  assert(!JSON.stringify(audit).includes("k-456") && !JSON.stringify(audit).includes("k-123"));
});

Deno.test("panel: Admin → Engines renders every engine with usage and health in es/en; users get 403", async () => {
  await using t = await twoEngines();
  const { gw, engineB, user } = t;
  // Both unlimited: the tie goes to the default engine, then the emptier one.
  assertEquals((await createVia(gw, user, "panel-a")).status, 201);
  assertEquals((await createVia(gw, user, "panel-b")).status, 201);
  const admin = await panelUser(gw, "engines_admin", { role: "admin" });
  const tenant = await panelUser(gw, "engines_user");
  const page = async (cookie: string, status = 200) => {
    const res = await fetch(`${gw.url}/panel/admin/engines`, { headers: { cookie } });
    assertEquals(res.status, status);
    return await res.text();
  };
  assertStringIncludes(await page(`${admin.cookie}; lang=es`), "Motores");
  const html = await page(`${admin.cookie}; lang=en`);
  assertStringIncludes(html, "Engines");
  const props = islandProps(html, "EnginesAdmin");
  const rows = (props.engines as Record<string, unknown>[]).map((
    e,
  ) => [e.name, e.instances, e.capacity, e.up]);
  assertEquals(rows, [["default", 1, null, true], ["engine-b", 1, null, true]]);
  assert(!html.includes(engineB.key), "the key is not in the page");
  assertStringIncludes(await page(tenant.cookie, 403), "data-forbidden");
  assertStringIncludes(await page(admin.cookie), 'href="/panel/admin/engines"');
});

Deno.test("the scheduled worker sends through the engine of the message's instance", async () => {
  await using t = await twoEngines({ SCHEDULED_SEND_DELAY_MS: "0" });
  const { gw, engineB, user } = t;
  assertEquals((await createVia(gw, user, "sched-a")).status, 201);
  assertEquals((await createVia(gw, user, "sched-b")).status, 201);
  assertEquals(await engineOf(gw, "sched-b"), engineB.id);
  await engineB.control.scan("sched-b", { phone: "595981000007" });
  const created = await call(gw, "POST", "/api/scheduled", {
    token: user.token,
    body: {
      instance_name: "sched-b",
      recipients: [TO],
      message_content: "más tarde",
      scheduled_at: "2030-01-01T09:00:00Z",
    },
  });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  const aBefore = gw.engineLog.length;
  const run = await runAt(gw, "2030-01-01T09:00:01Z");
  assertEquals([run.messages, run.sent, run.failed], [1, 1, 0]);
  assertEquals(sawRequest(engineB.log, "POST /message/sendText/sched-b").length, 1);
  assertEquals(gw.engineLog.slice(aBefore).filter((l) => !l.includes("/_sandbox/")), [], "A saw nothing");
});

Deno.test("the campaign dispatcher sends through the engine of the campaign's instance", async () => {
  await using t = await twoEngines();
  const { gw, engineB, user } = t;
  assertEquals((await createVia(gw, user, "camp-a")).status, 201);
  assertEquals((await createVia(gw, user, "camp-b")).status, 201);
  assertEquals(await engineOf(gw, "camp-b"), engineB.id);
  await engineB.control.scan("camp-b", { phone: "595981000006" });
  const list = numbers(3);
  const created = await createCampaign(gw, user.token, { instance: "camp-b", numbers: list });
  assertEquals(created.status, 201, JSON.stringify(created.body));
  const aBefore = gw.engineLog.length;
  const result = await dispatchCampaigns(gw.deps);
  assertEquals([result.sent, result.completed], [3, 1]);
  assertEquals(sawRequest(engineB.log, "POST /message/sendText/camp-b").length, 3);
  assertEquals(gw.engineLog.slice(aBefore).filter((l) => !l.includes("/_sandbox/")), [], "A saw nothing");
});

Deno.test("concurrent creates never overfill an engine: capacity 3 gives exactly 3 instances", async () => {
  await using t = await twoEngines({}, { capacity: 3 });
  const { gw, engineB, user, admin } = t;
  const full = await call(gw, "PUT", `/admin/engines/${DEFAULT_ENGINE_ID}`, {
    token: admin.token,
    body: { capacity: 0 },
  });
  assertEquals(full.status, 200);
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => createVia(gw, user, `race-${i}`)));
  assertEquals(answers.map((a) => a.status).sort(), [201, 201, 201, 503, 503, 503, 503, 503, 503, 503]);
  assert(answers.filter((a) => a.status === 503).every((a) => a.body.code === "engine_capacity_full"));
  const rows = await gw.db.sql<{ engine_id: number }[]>`
    SELECT engine_id FROM taguato.user_instances WHERE instance_name LIKE 'race-%'`;
  assertEquals(rows.map((r) => r.engine_id), [engineB.id, engineB.id, engineB.id]);
});
