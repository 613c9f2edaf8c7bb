import { assert, assertEquals } from "../lib/core/testing.ts";
import { addOptOut } from "../lib/messaging/mod.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/accounts.ts";
import { control, logRows, tenantWithInstance } from "./_helpers/engine.ts";
import { engineSends, runAt } from "./_helpers/scheduled.ts";

const schedule = async (app: TestApp, token: string, body: Record<string, unknown>) => {
  const r = await call(app, "POST", "/api/scheduled", { token, body });
  assertEquals(r.status, 201, JSON.stringify(r.body));
  return r.body.message as Record<string, unknown> & { id: number };
};
const detail = async (app: TestApp, token: string, id: number) =>
  (await call(app, "GET", `/api/scheduled/${id}`, { token })).body.message;

Deno.test("scheduled worker: personalised sends, opt-outs skipped with the reason in History, never twice", async (t) => {
  await using app = await startTestApp({ cache: "memory", env: { SCHEDULED_SEND_DELAY_MS: "0" } });
  const ana = await tenantWithInstance(app, "wk_ana", "wk-ana");
  await addOptOut(app.db.sql, ana.id, "595981000003", "manual", "asked by phone");
  const msg = await schedule(app, ana.token, {
    instance_name: ana.instance,
    recipients: ["595981000001", "595981000002", "595981000003"],
    message_content: "Hola {{name|amigo}}, tu número es {{number}}",
    scheduled_at: "2030-01-01T09:00:00Z",
    variables: { "595981000001": { name: "Ana" } },
  });

  await t.step("nothing is due before its time", async () => {
    assertEquals((await runAt(app, "2030-01-01T08:59:59Z")).messages, 0);
    assertEquals((await detail(app, ana.token, msg.id)).status, "pending");
  });

  await t.step("at its time each recipient gets its own text; the opted-out number is skipped", async () => {
    const run = await runAt(app, "2030-01-01T09:00:01Z");
    assertEquals(run, { messages: 1, sent: 2, failed: 0, skipped: 1 });
    assertEquals(await engineSends(app.sandbox.url, ana.instance), [
      { number: "595981000001", text: "Hola Ana, tu número es 595981000001" },
      { number: "595981000002", text: "Hola amigo, tu número es 595981000002" },
    ]);
    const m = await detail(app, ana.token, msg.id);
    assertEquals(m.status, "completed");
    assertEquals(m.results, {
      total: 3,
      sent: 2,
      failed: 0,
      skipped: 1,
      unknown: 0,
      errors: ["595981000003: Opted out: the recipient asked not to be messaged"],
    });
  });

  await t.step("History shows the sends and the skip with its reason", async () => {
    const rows = await logRows(app, ana.token, "?instance_name=wk-ana");
    const byNumber = Object.fromEntries(rows.map((r) => [r.phone_number, r]));
    assertEquals(byNumber["595981000001"].status, "sent");
    assertEquals(byNumber["595981000001"].source, "scheduled");
    assertEquals(byNumber["595981000002"].status, "sent");
    assertEquals(byNumber["595981000003"].status, "cancelled");
    assertEquals(byNumber["595981000003"].error_message, "Opted out: the recipient asked not to be messaged");
    const recipients = await call(app, "GET", `/api/scheduled/${msg.id}/recipients`, { token: ana.token });
    assertEquals(
      recipients.body.recipients.map((
        r: Record<string, unknown>,
      ) => [r.phone_number, r.status, r.message_text]),
      [
        ["595981000001", "sent", "Hola Ana, tu número es 595981000001"],
        ["595981000002", "sent", "Hola amigo, tu número es 595981000002"],
        ["595981000003", "cancelled", "Hola amigo, tu número es 595981000003"],
      ],
    );
  });

  await t.step("a later tick, or a message put back to pending by hand, sends nothing again", async () => {
    assertEquals((await runAt(app, "2030-01-01T09:05:00Z")).messages, 0);
    await app.db.sql`UPDATE taguato.scheduled_messages SET status = 'pending' WHERE id = ${msg.id}`;
    assertEquals(await runAt(app, "2030-01-01T09:06:00Z"), { messages: 1, sent: 0, failed: 0, skipped: 3 });
    assertEquals((await engineSends(app.sandbox.url, ana.instance)).length, 2);
  });

  await t.step("a transient engine failure is retried; a refusal (4xx) is not", async () => {
    await control(app).fail({ count: 1, status: 500, pathPrefix: "/message/sendText" });
    const once = (number: string, at: string) =>
      schedule(app, ana.token, {
        instance_name: ana.instance,
        recipients: [number],
        message_content: "once",
        scheduled_at: at,
      });
    const retried = await once("595981000010", "2030-01-02T09:00:00Z");
    assertEquals(await runAt(app, "2030-01-02T09:00:00Z"), { messages: 1, sent: 1, failed: 0, skipped: 0 });
    assertEquals((await detail(app, ana.token, retried.id)).status, "completed");
    await control(app).fail({ count: 1, status: 400, pathPrefix: "/message/sendText" });
    const refused = await once("595981000011", "2030-01-03T09:00:00Z");
    assertEquals(await runAt(app, "2030-01-03T09:00:00Z"), { messages: 1, sent: 0, failed: 1, skipped: 0 });
    const m = await detail(app, ana.token, refused.id);
    assertEquals([m.status, m.results.failed], ["failed", 1]);
    const sends = await engineSends(app.sandbox.url, ana.instance);
    assertEquals(sends.filter((s) => s.number === "595981000010").length, 1);
    assertEquals(sends.filter((s) => s.number === "595981000011").length, 0);
  });

  await t.step(
    "a process that died mid-send: its in-flight recipient ends unknown, the rest are sent",
    async () => {
      const m = await schedule(app, ana.token, {
        instance_name: ana.instance,
        recipients: ["595981000020", "595981000021", "595981000022"],
        message_content: "after a crash",
        scheduled_at: "2030-01-04T09:00:00Z",
      });
      // As a killed worker leaves it: claimed with a lease, the first recipient written `sending`.
      await app.db.sql`UPDATE taguato.scheduled_messages
      SET status = 'processing', lease_owner = 'dead', lease_until = '2030-01-04T09:02:00Z' WHERE id = ${m.id}`;
      await app.db.sql`INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, status, source, scheduled_message_id)
      VALUES (${ana.id}, ${ana.instance}, '595981000020', 'sending', 'scheduled', ${m.id})`;
      // While the lease holds, nobody else touches it.
      assertEquals((await runAt(app, "2030-01-04T09:01:00Z")).messages, 0);
      assertEquals(await runAt(app, "2030-01-04T09:03:00Z"), { messages: 1, sent: 2, failed: 0, skipped: 1 });
      const done = await detail(app, ana.token, m.id);
      assertEquals([done.status, done.results.unknown, done.results.sent], ["completed", 1, 2]);
      const numbers = (await engineSends(app.sandbox.url, ana.instance)).map((s) => s.number);
      assert(!numbers.includes("595981000020"), "the in-flight recipient is never re-sent");
      assert(numbers.includes("595981000021") && numbers.includes("595981000022"));
    },
  );

  await t.step("past the owner's daily quota the rest are skipped with the reason", async () => {
    await app.db.sql`
      INSERT INTO taguato.user_quotas (user_id, daily_limit) VALUES (${ana.id}, 1)
      ON CONFLICT (user_id) DO UPDATE SET daily_limit = 1`;
    const m = await schedule(app, ana.token, {
      instance_name: ana.instance,
      recipients: ["595981000030", "595981000031", "595981000032"],
      message_content: "capped",
      scheduled_at: "2030-01-05T09:00:00Z",
    });
    assertEquals(await runAt(app, "2030-01-05T09:00:01Z"), { messages: 1, sent: 1, failed: 0, skipped: 2 });
    const done = await detail(app, ana.token, m.id);
    assertEquals([done.status, done.results.sent, done.results.skipped], ["completed", 1, 2]);
    const numbers = (await engineSends(app.sandbox.url, ana.instance)).map((s) => s.number);
    assert(numbers.includes("595981000030") && !numbers.includes("595981000031"));
    const rows = await logRows(app, ana.token, "?instance_name=wk-ana");
    const skipped = rows.filter((r) => ["595981000031", "595981000032"].includes(String(r.phone_number)));
    assertEquals(skipped.map((r) => [r.status, r.error_message]), [
      ["cancelled", "Daily message quota reached (1 of 1)"],
      ["cancelled", "Daily message quota reached (1 of 1)"],
    ]);
  });
});

Deno.test("scheduled worker: a daily series keeps its wall-clock time across DST and stops at its end", async (t) => {
  await using app = await startTestApp({ cache: "memory", env: { SCHEDULED_SEND_DELAY_MS: "0" } });
  const ana = await tenantWithInstance(app, "wk_dst", "wk-dst");
  const series = async (zone: string, at: string, until: string) => {
    const first = await schedule(app, ana.token, {
      instance_name: ana.instance,
      recipients: ["595981000001"],
      message_content: "buen día",
      scheduled_at: at,
      time_zone: zone,
      recurrence: { type: "daily" },
      recurrence_until: until,
    });
    return first.id;
  };
  const occurrences = async (id: number) =>
    (await call(app, "GET", `/api/scheduled?series_id=${id}`, { token: ana.token })).body.messages
      .map((m: Record<string, unknown>) => [m.occurrence, m.status, m.scheduled_at_local]).reverse();

  await t.step("Europe/Madrid: 09:00 on 28 March (+01:00), then 09:00 on 29 March (+02:00)", async () => {
    const id = await series("Europe/Madrid", "2026-03-28 09:00", "2026-03-29 23:00");
    await runAt(app, "2026-03-28T08:00:00Z");
    assertEquals(await occurrences(id), [
      [1, "completed", "2026-03-28T09:00:00+01:00"],
      [2, "pending", "2026-03-29T09:00:00+02:00"],
    ]);
    // 08:00 UTC would have been "09:00" before the change; the second one is due at 07:00 UTC.
    assertEquals((await runAt(app, "2026-03-29T06:59:59Z")).messages, 0);
    assertEquals((await runAt(app, "2026-03-29T07:00:00Z")).messages, 1);
    // The 30th is past the end date: the series ends.
    assertEquals(await occurrences(id), [
      [1, "completed", "2026-03-28T09:00:00+01:00"],
      [2, "completed", "2026-03-29T09:00:00+02:00"],
    ]);
  });

  await t.step(
    "America/Asuncion: 09:00 on 23 March 2024 (-03:00), then 09:00 on the 24th (-04:00)",
    async () => {
      const id = await series("America/Asuncion", "2024-03-23T09:00", "2024-03-31 00:00");
      await runAt(app, "2024-03-23T12:00:00Z");
      assertEquals((await occurrences(id))[1], [2, "pending", "2024-03-24T09:00:00-04:00"]);
      assertEquals((await runAt(app, "2024-03-24T12:59:00Z")).messages, 0);
      assertEquals((await runAt(app, "2024-03-24T13:00:00Z")).messages, 1);
    },
  );

  await t.step("cancelling the pending occurrence stops the series", async () => {
    const id = await series("Europe/Madrid", "2026-06-01 09:00", "2026-12-31 00:00");
    await runAt(app, "2026-06-01T07:00:00Z");
    const [, next] = (await call(app, "GET", `/api/scheduled?series_id=${id}`, { token: ana.token })).body
      .messages
      .reverse();
    assertEquals((await call(app, "DELETE", `/api/scheduled/${next.id}`, { token: ana.token })).status, 200);
    assertEquals((await runAt(app, "2026-06-03T07:00:00Z")).messages, 0);
    assertEquals((await occurrences(id)).length, 2);
  });
});
