// Engine events → ledger, over real HTTP: the sandbox posts its webhooks to the gateway's ingest route,
// receipts end as `read` in GET /api/messages/log whatever their order, and inbound messages are stored once.
import {
  engineEventsInstance,
  engineEventsToken,
  recordIssuedEngineEventTokens,
} from "../lib/gateway/mod.ts";
import { loggedPath } from "../lib/core/mod.ts";
import { type OutboundRecord, recordOutbound, settleOutbound } from "../lib/messaging/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ENGINE_KEY, startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { control, eventually, logRows, postEnvelope, tenantWithInstance } from "./_helpers/engine.ts";

const TO = "595981222333";

Deno.test("engine events: receipts, ordering, inbound and instance state", async (t) => {
  await using app = await startTestApp({ cache: "memory", sandbox: { ackDelaysMs: [10, 10, 10] } });
  const acme = await tenantWithInstance(app, "acme", "acme-wa", "595981000001");
  const statusOf = async (engineId: string) =>
    (await logRows(app, acme.token)).find((r) => r.engine_message_id === engineId)?.status;

  // The row a send path writes before it calls the engine.
  const sending = (messageType: OutboundRecord["messageType"], source: OutboundRecord["source"]) =>
    recordOutbound(app.deps, {
      userId: acme.id,
      instanceName: "acme-wa",
      phoneNumber: TO,
      messageType,
      status: "sending",
      source,
    });

  await t.step("CONNECTION_UPDATE open is recorded on the instance", async () => {
    const row = await eventually("open state", async () => {
      const [r] = await app.db.sql`
        SELECT connection_state, owner_jid, profile_name FROM taguato.user_instances
        WHERE instance_name = 'acme-wa' AND connection_state = 'open'`;
      return r;
    });
    assertEquals(row.owner_jid, "595981000001@s.whatsapp.net");
    assertEquals(row.profile_name, "acme");
  });

  await t.step("a send through the engine ends `read` after SERVER_ACK, DELIVERY_ACK, READ", async () => {
    const id = await sending("text", "api");
    const sent = await app.deps.evolution.sendText("acme-wa", { number: TO, text: "Hola" });
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: sent.key.id });
    await eventually("read", async () => (await statusOf(sent.key.id)) === "read");
    const rows = (await logRows(app, acme.token)).filter((r) => r.engine_message_id === sent.key.id);
    assertEquals(rows.length, 1);
    assertEquals(rows[0].id, id);
    assertEquals(rows[0].phone_number, TO);
    assertEquals(rows[0].direction, "outbound");
    assertEquals(rows[0].source, "api");
  });

  await control(app).acks("manual");

  await t.step("receipts out of order and twice still end `read`, then `played`", async () => {
    const id = await sending("audio", "panel");
    const sent = await app.deps.evolution.sendText("acme-wa", { number: TO, text: "orden" });
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: sent.key.id });
    const updatesDelivered = async () => {
      const ds = await (await fetch(`${app.sandbox.url}/_sandbox/deliveries`, {
        headers: { apikey: ENGINE_KEY },
      })).json() as { event: string; status?: number }[];
      return ds.filter((d) => d.event === "messages.update" && d.status === 200).length;
    };
    const before = await updatesDelivered();
    await control(app).ack(sent.key.id, "READ");
    await eventually("read", async () => (await statusOf(sent.key.id)) === "read");
    await control(app).ack(sent.key.id, "DELIVERY_ACK");
    await control(app).ack(sent.key.id, "SERVER_ACK");
    const update = (status: string) => ({
      event: "messages.update",
      instance: "acme-wa",
      data: { keyId: sent.key.id, remoteJid: `${TO}@s.whatsapp.net`, fromMe: true, status },
    });
    // The engine repeats and reorders; these arrive directly as well.
    for (const s of ["DELIVERY_ACK", "READ", "SERVER_ACK", "PENDING"]) {
      assertEquals(await postEnvelope(app, update(s)), 200);
    }
    await eventually("the engine's late receipts", async () => (await updatesDelivered()) === before + 3);
    assertEquals(await statusOf(sent.key.id), "read");
    assertEquals(await postEnvelope(app, update("PLAYED")), 200);
    assertEquals(await postEnvelope(app, update("READ")), 200);
    assertEquals(await postEnvelope(app, update("ERROR")), 200);
    assertEquals(await statusOf(sent.key.id), "played");
  });

  await t.step("receipts for an id the gateway has not settled yet are kept, once", async () => {
    const update = (status: string) => ({
      event: "messages.update",
      instance: "acme-wa",
      data: { keyId: "3EB0EARLY", remoteJid: `${TO}@s.whatsapp.net`, fromMe: true, status },
    });
    assertEquals(await postEnvelope(app, update("DELIVERY_ACK")), 200);
    assertEquals(await postEnvelope(app, update("DELIVERY_ACK")), 200);
    assertEquals(await postEnvelope(app, update("SERVER_ACK")), 200);
    let rows = (await logRows(app, acme.token)).filter((r) => r.engine_message_id === "3EB0EARLY");
    assertEquals(rows.map((r) => [r.status, r.source]), [["delivered", "engine"]]);
    // The engine's HTTP answer arrives last: the gateway's row absorbs the early receipt.
    const id = await sending("text", "api");
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0EARLY" });
    rows = (await logRows(app, acme.token)).filter((r) => r.engine_message_id === "3EB0EARLY");
    assertEquals(rows.map((r) => [r.id, r.status, r.source, r.message_type]), [[
      id,
      "delivered",
      "api",
      "text",
    ]]);
    // Receipts for ids nobody sent from this account (inbound, fromMe false) change nothing.
    assertEquals(
      await postEnvelope(app, {
        event: "messages.update",
        instance: "acme-wa",
        data: { keyId: "NOPE", remoteJid: `${TO}@s.whatsapp.net`, fromMe: false, status: "READ" },
      }),
      200,
    );
    assertEquals((await logRows(app, acme.token)).some((r) => r.engine_message_id === "NOPE"), false);
  });

  await t.step("a send the gateway did not make is logged from SEND_MESSAGE", async () => {
    const sent = await app.deps.evolution.sendText("acme-wa", {
      number: "595981444555",
      text: "desde el motor",
    });
    const row = await eventually(
      "engine send",
      async () => (await logRows(app, acme.token)).find((r) => r.engine_message_id === sent.key.id),
    );
    assertEquals([row.status, row.source, row.phone_number, row.message_type], [
      "sent",
      "engine",
      "595981444555",
      "text",
    ]);
  });

  await t.step("an inbound MESSAGES_UPSERT is stored once", async () => {
    const before = await logRows(app, acme.token, "?direction=inbound");
    assertEquals(before.length, 0);
    await control(app).inbound("acme-wa", { from: "595981777888", text: "hola!", pushName: "Cliente" });
    const row = await eventually(
      "inbound row",
      async () => (await logRows(app, acme.token, "?direction=inbound"))[0],
    );
    assertEquals([row.phone_number, row.status, row.message_type, row.source], [
      "595981777888",
      "delivered",
      "text",
      "engine",
    ]);
    // The engine retrying the same event does not duplicate it.
    const again = {
      event: "messages.upsert",
      instance: "acme-wa",
      data: {
        key: { id: row.engine_message_id, remoteJid: "595981777888@s.whatsapp.net", fromMe: false },
        messageType: "conversation",
        message: { conversation: "hola!" },
      },
    };
    assertEquals(await postEnvelope(app, again), 200);
    assertEquals(await postEnvelope(app, again), 200);
    assertEquals((await logRows(app, acme.token, "?direction=inbound")).length, 1);
  });

  await t.step("a wrong or another instance's token is a 404 and changes nothing", async () => {
    await app.db
      .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${acme.id}, 'other-wa')`;
    const envelope = {
      event: "messages.upsert",
      instance: "acme-wa",
      data: { key: { id: "FORGED1", remoteJid: "595981000999@s.whatsapp.net", fromMe: false } },
    };
    assertEquals(await postEnvelope(app, envelope, "0".repeat(64)), 404);
    assertEquals(await postEnvelope(app, envelope, await engineEventsToken(app.deps, "other-wa")), 404);
    assertEquals(await postEnvelope(app, envelope, "not-a-token"), 404);
    const res = await fetch(
      `${app.url}/internal/engine-events/${await engineEventsToken(app.deps, "acme-wa")}`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      },
    );
    await res.body?.cancel();
    assertEquals(res.status, 404);
    assert(!(await logRows(app, acme.token)).some((r) => r.engine_message_id === "FORGED1"));
    // The token is a credential: access and error logs show the path without it.
    assertEquals(loggedPath(`/internal/engine-events/${"a".repeat(64)}`), "/internal/engine-events/***");
  });

  await t.step("LOGOUT_INSTANCE marks the instance closed", async () => {
    await control(app).phoneLogout("acme-wa");
    await eventually("closed", async () => {
      const [r] = await app.db.sql`
        SELECT 1 FROM taguato.user_instances WHERE instance_name = 'acme-wa' AND connection_state = 'close'`;
      return r;
    });
  });
});

Deno.test("an instance re-created under the same name gets a new ingest token; the old URL stops working", async () => {
  await using app = await startTestApp({ cache: "memory" });
  await createUser(app, "first", "Passw0rd!x");
  await createUser(app, "second", "Passw0rd!x");
  const first = await login(app, "first", "Passw0rd!x");
  const second = await login(app, "second", "Passw0rd!x");
  const create = async (token: string) => {
    const r = await call(app, "POST", "/instance/create", { token, body: { instanceName: "reused-wa" } });
    assertEquals(r.status, 201);
    const hook = await app.deps.evolution.findWebhook("reused-wa");
    const token64 = /\/internal\/engine-events\/([0-9a-f]{64})$/.exec(hook?.url ?? "")?.[1];
    assert(token64, `the engine webhook points at the ingest route: ${hook?.url}`);
    return token64;
  };
  const envelope = {
    event: "messages.upsert",
    instance: "reused-wa",
    data: { key: { id: "REUSED1", remoteJid: "595981000999@s.whatsapp.net", fromMe: false } },
  };
  const oldToken = await create(first);
  assertEquals(await postEnvelope(app, envelope, oldToken), 200);
  const del = await call(app, "DELETE", "/instance/delete/reused-wa", { token: first });
  assertEquals(del.status, 200);
  const newToken = await create(second);
  assert(newToken !== oldToken, "a new instance of the same name gets a new token");
  assertEquals(
    await postEnvelope(app, { ...envelope, data: { key: { ...envelope.data.key, id: "OLD" } } }, oldToken),
    404,
  );
  assertEquals(await postEnvelope(app, envelope, newToken), 200);
  assert(!(await logRows(app, second)).some((r) => r.engine_message_id === "OLD"));
});

Deno.test("the ingest knows its caller from the path token alone: an unknown caller's body is never read", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const acme = await tenantWithInstance(app, "acme", "acme-wa");
  const envelope = {
    event: "messages.upsert",
    instance: "acme-wa",
    data: { key: { id: "PATH1", remoteJid: "595981000999@s.whatsapp.net", fromMe: false } },
  };

  await t.step("an unknown token is a 404 whatever the body: over the cap, or never ending", async () => {
    const url = `${app.url}/internal/engine-events/${"b".repeat(64)}`;
    const big = await fetch(url, { method: "POST", body: new Uint8Array(3 * 1024 * 1024).fill(123) });
    await big.body?.cancel();
    assertEquals(big.status, 404, "a body over the 1 MB cap is not read, so it is not a 413");
    // A body that never ends: reading it would never finish, so an answer shows it was not read.
    let upload: ReadableStreamDefaultController<Uint8Array> | undefined;
    const endless = new ReadableStream<Uint8Array>({
      start(ctrl) {
        upload = ctrl;
        ctrl.enqueue(new TextEncoder().encode('{"event":"messages.upsert","instance":"acme-wa","data":'));
      },
    });
    const open = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: endless,
      signal: AbortSignal.timeout(10_000),
    });
    await open.body?.cancel();
    upload?.close();
    assertEquals(open.status, 404);
    assertEquals(await postEnvelope(app, envelope), 200, "the real token still posts");
  });

  await t.step("a valid token posting another instance's envelope is a 404 and changes nothing", async () => {
    await app.db
      .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${acme.id}, 'acme-two')`;
    const other = await engineEventsToken(app.deps, "acme-two");
    const forged = { ...envelope, data: { key: { ...envelope.data.key, id: "CROSS1" } } };
    assertEquals(await postEnvelope(app, forged, other), 404);
    assert(!(await logRows(app, acme.token)).some((r) => r.engine_message_id === "CROSS1"));
  });

  await t.step("instances from before the token table get theirs recorded at startup", async () => {
    // A webhook registered before migration 0011: its URL's token was never recorded.
    const token = await engineEventsToken(app.deps, "acme-wa");
    await app.db.sql`DELETE FROM taguato.engine_event_tokens`;
    assertEquals(await postEnvelope(app, envelope, token), 404);
    const recorded = await recordIssuedEngineEventTokens(app.deps);
    assertEquals(recorded, 2, "both of acme's instances had no recorded token");
    assertEquals(await postEnvelope(app, envelope, token), 200);
    assertEquals(await recordIssuedEngineEventTokens(app.deps), 0, "a second start records nothing");
  });

  await t.step("deleting the instance deletes its tokens", async () => {
    await app.db.sql`DELETE FROM taguato.user_instances WHERE instance_name = 'acme-two'`;
    const [{ n }] = await app.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.engine_event_tokens t
        LEFT JOIN taguato.user_instances i ON i.id = t.instance_id WHERE i.id IS NULL`;
    assertEquals(n, 0);
  });
});

Deno.test("concurrent token lookups share one query and each finds its own instance", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const ana = await tenantWithInstance(app, "lookup_ana", "lookup-a");
  const beto = await tenantWithInstance(app, "lookup_beto", "lookup-b");
  await app.db.sql`
    INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events, is_active)
    VALUES (${beto.id}, 'lookup-b', 'http://127.0.0.1:9/hook', '{}', true)`;
  const a = await engineEventsToken(app.deps, "lookup-a");
  const b = await engineEventsToken(app.deps, "lookup-b");
  // A token of the right shape that nobody issued, and one that is issued but altered.
  const tokens = [a, b, "f".repeat(64), a, b.slice(0, 63) + (b.at(-1) === "0" ? "1" : "0")];
  const found = await Promise.all(tokens.map((t) => engineEventsInstance(app.deps, t)));
  assertEquals(found, [
    { name: "lookup-a", owner: ana.id, hasWebhooks: false },
    { name: "lookup-b", owner: beto.id, hasWebhooks: true },
    null,
    { name: "lookup-a", owner: ana.id, hasWebhooks: false },
    null,
  ]);
});
