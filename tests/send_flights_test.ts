// The engine's SEND_MESSAGE and the send it reports: the event often arrives before the engine's HTTP
// answer has settled the `sending` row. Sent through this process, it then waits for that settlement and
// advances the send's own row; it never waits on anything else for long.
import {
  beginSend,
  FLIGHT_WAIT_MS,
  recordOutbound,
  settlementOfReceipt,
  settleOutbound,
} from "../lib/messaging/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { control, logRows, postEnvelope, tenantWithInstance } from "./_helpers/engine.ts";
import { call } from "./_helpers/auth_client.ts";

const TO = "595981333444";
const INSTANCE = "flights-wa";
const sendMessageEvent = (id: string, to = TO) => ({
  event: "send.message",
  instance: INSTANCE,
  data: { key: { id, remoteJid: `${to}@s.whatsapp.net`, fromMe: true }, messageType: "conversation" },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("SEND_MESSAGE before the send's answer waits for its settlement and advances the send's own row", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const tenant = await tenantWithInstance(app, "flights", INSTANCE, "595981000002");
  const sending = () =>
    recordOutbound(app.deps, {
      userId: tenant.id,
      instanceName: INSTANCE,
      phoneNumber: TO,
      messageType: "text",
      status: "sending",
      source: "api",
    });
  const rowsOf = async (engineId: string) =>
    (await logRows(app, tenant.token)).filter((r) => r.engine_message_id === engineId);

  await t.step("the event waits while the send is in flight, then lands on the settled row", async () => {
    const id = await sending();
    const landed = beginSend(app.deps.sql, INSTANCE, TO);
    let answered = false;
    const posted = postEnvelope(app, sendMessageEvent("3EB0FLIGHT0001")).then((status) => {
      answered = true;
      return status;
    });
    await sleep(150);
    // Still waiting: no engine row was logged for it, and the engine has no answer yet.
    assertEquals(answered, false);
    assertEquals(await rowsOf("3EB0FLIGHT0001"), []);
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0FLIGHT0001" });
    landed();
    assertEquals(await posted, 200);
    const rows = await rowsOf("3EB0FLIGHT0001");
    assertEquals(rows.map((r) => [r.id, r.source, r.status]), [[id, "api", "sent"]]);
  });

  await t.step("a repeat of a settled event and an event for another number do not wait", async () => {
    const landed = beginSend(app.deps.sql, INSTANCE, TO);
    try {
      const started = performance.now();
      assertEquals(await postEnvelope(app, sendMessageEvent("3EB0FLIGHT0001")), 200);
      assertEquals(await postEnvelope(app, sendMessageEvent("3EB0OTHER0001", "595981999000")), 200);
      assert(performance.now() - started < FLIGHT_WAIT_MS, "neither event waited for the open flight");
      assertEquals((await rowsOf("3EB0OTHER0001")).map((r) => r.source), ["engine"]);
    } finally {
      landed();
    }
  });

  await t.step("a send that ends without that id releases the event, which logs an engine row", async () => {
    const landed = beginSend(app.deps.sql, INSTANCE, TO);
    const posted = postEnvelope(app, sendMessageEvent("3EB0UNSETTLED1"));
    await sleep(100);
    assertEquals(await rowsOf("3EB0UNSETTLED1"), []);
    landed();
    assertEquals(await posted, 200);
    assertEquals((await rowsOf("3EB0UNSETTLED1")).map((r) => [r.source, r.status]), [["engine", "sent"]]);
  });

  await t.step(
    "a send through the gateway is in flight from before its engine call until it settled",
    async () => {
      await control(app).latency(400);
      try {
        const order: string[] = [];
        const send = call(app, "POST", `/message/sendText/${INSTANCE}`, {
          token: tenant.token,
          body: { number: TO, text: "hola" },
        }).then((r) => {
          order.push("send answered");
          return r;
        });
        await sleep(100);
        // An event for this number while the send waits on the engine: held until the send settled.
        const posted = postEnvelope(app, sendMessageEvent("3EB0DURING0001")).then(() => order.push("event"));
        assertEquals((await send).status, 201);
        await posted;
        assertEquals(order, ["send answered", "event"]);
      } finally {
        await control(app).latency(0);
      }
    },
  );

  await t.step(
    "the wait is bounded: a flight that never ends holds an event until the bound, then lets it go",
    async () => {
      const landed = beginSend(app.deps.sql, INSTANCE, TO);
      try {
        const started = performance.now();
        await settlementOfReceipt(app.deps.sql, INSTANCE, TO, "3EB0NEVER00001", 80);
        const waited = performance.now() - started;
        assert(waited >= 75, `released after ${waited} ms, before the bound`);
      } finally {
        landed();
      }
    },
  );
});
