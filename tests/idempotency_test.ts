import { assert, assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { purgeIdempotencyKeys } from "../lib/gateway/mod.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/accounts.ts";
import { errorBody } from "./_helpers/errors.ts";
import { tenantWithInstance } from "./_helpers/engine.ts";
import { engineSends } from "./_helpers/scheduled.ts";

Deno.test("Idempotency-Key: one send per key and body, across concurrent duplicates and the scheduled create", async (t) => {
  // A roomy per-IP send limit: the twenty duplicates arrive within one second.
  await using app = await startTestApp({ cache: "memory", env: { SEND_RATE_LIMIT_PER_SECOND: "100" } });
  const ana = await tenantWithInstance(app, "idem_ana", "idem-ana");
  const beto = await tenantWithInstance(app, "idem_beto", "idem-beto", "595981000002");
  const send = (key: string, body: unknown, token = ana.token, instance = ana.instance) =>
    call(app, "POST", `/message/sendText/${instance}`, { token, body, headers: { "Idempotency-Key": key } });
  const sendsTo = async (number: string, instance = ana.instance) =>
    (await engineSends(app.sandbox.url, instance)).filter((s) => s.number === number).length;

  await t.step(
    "20 concurrent identical sends with one key: one engine call, twenty equal answers",
    async () => {
      const body = { number: "595981000100", text: "una sola vez" };
      const answers = await Promise.all(Array.from({ length: 20 }, () => send("order-1", body)));
      assertEquals(await sendsTo("595981000100"), 1);
      const first = answers[0];
      assert(first.status >= 200 && first.status < 300, JSON.stringify(first.body));
      for (const a of answers) assertEquals([a.status, a.body], [first.status, first.body]);
      assertEquals(answers.filter((a) => a.headers.get("idempotent-replayed") === "true").length, 19);
      const [{ n }] = await app.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE phone_number = '595981000100'`;
      assertEquals(n, 1);
    },
  );

  await t.step("the same key with a different body is a 409 and sends nothing", async () => {
    const r = await send("order-1", { number: "595981000100", text: "otra cosa" });
    assertEquals([r.status, r.body], [
      409,
      errorBody("Idempotency-Key was already used with a different request"),
    ]);
    const other = await send(
      "order-1",
      { number: "595981000100", text: "una sola vez" },
      ana.token,
      "idem-ana/",
    );
    assertEquals(other.status, 409, "another path is another request");
    assertEquals(await sendsTo("595981000100"), 1);
  });

  await t.step("keys are per tenant; a new key sends again; a malformed key is a 400", async () => {
    const body = { number: "595981000100", text: "una sola vez" };
    assertEquals((await send("order-1", body, beto.token, beto.instance)).status < 300, true);
    assertEquals(await sendsTo("595981000100", beto.instance), 1);
    assertEquals((await send("order-2", body)).status < 300, true);
    assertEquals(await sendsTo("595981000100"), 2);
    const bad = await send("x".repeat(256), body);
    assertEquals([bad.status, bad.body], [
      400,
      errorBody("Idempotency-Key must be 1-255 visible ASCII characters"),
    ]);
    assertEquals(await sendsTo("595981000100"), 2);
  });

  await t.step("a refused request's answer is remembered too (and nothing is sent)", async () => {
    const first = await send("bad-1", { number: "12ab", text: "x" });
    const again = await send("bad-1", { number: "12ab", text: "x" });
    assertEquals([first.status, again.status, again.body], [400, 400, first.body]);
    assertEquals(again.headers.get("idempotent-replayed"), "true");
  });

  await t.step("POST /api/scheduled with a key creates one message", async () => {
    const body = {
      instance_name: ana.instance,
      recipients: ["595981000200"],
      message_content: "hola",
      scheduled_at: "2030-01-01T09:00:00Z",
    };
    const create = () =>
      call(app, "POST", "/api/scheduled", {
        token: ana.token,
        body,
        headers: { "Idempotency-Key": "sch-1" },
      });
    const answers = await Promise.all([create(), create(), create(), create(), create()]);
    assertEquals(new Set(answers.map((a) => a.body.message.id)).size, 1);
    assertEquals(answers.map((a) => a.status), [201, 201, 201, 201, 201]);
    const [{ n }] = await app.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.scheduled_messages WHERE user_id = ${ana.id}`;
    assertEquals(n, 1);
  });

  await t.step("after 24 h the key is forgotten (cleanup purge) and may be used again", async () => {
    const later = { ...app.deps, clock: new ManualClock(Date.now() + 24 * 3600_000 + 60_000) };
    const purged = await purgeIdempotencyKeys(later);
    assert(purged >= 5, `purged ${purged}`);
    const r = await send("order-1", { number: "595981000100", text: "otra cosa" });
    assert(r.status < 300, JSON.stringify(r.body));
    assertEquals(await sendsTo("595981000100"), 3);
  });
});
