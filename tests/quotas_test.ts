/**
 * Per-user quotas: admins set daily and monthly caps (/admin/users/{id}/quota), GET /api/usage shows them,
 * a send past a cap is a 429 the engine never sees, concurrent sends at the cap never exceed it, the 80 %
 * warning reaches the tenant's webhooks once per period, and a new UTC day restarts the daily count.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { connect, ManualClock } from "../lib/core/mod.ts";
import { admitOutbound, consumeQuota, setQuotaLimits } from "../lib/messaging/mod.ts";
import { HttpError } from "../lib/core/errors.ts";
import { call, engineSaw, type Gateway, makeUser, startWithInstance } from "./proxy_fixtures.ts";
import { startSmtpSink } from "./_helpers/smtp.ts";
import { needs } from "./_helpers/services.ts";

const FAST = { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } };
const text = (i: number) => ({ number: "595981000111", text: `hola ${i}` });
const sendText = (gw: Gateway & { owner: { token: string } }, i: number) =>
  call(gw, "POST", "/message/sendText/q-inst", { token: gw.owner.token, body: text(i) });

Deno.test("PUT /admin/users/{id}/quota sets caps with validated input; GET shows them; only admins", async (t) => {
  await using gw = await startWithInstance("q-inst", FAST);
  const admin = await makeUser(gw, { role: "admin" });
  const path = `/admin/users/${gw.owner.id}/quota`;
  const put = (body: unknown, token = admin.token, p = path) => call(gw, "PUT", p, { token, body });

  await t.step("success: set, partial update keeps the other cap, null removes one", async () => {
    let r = await put({ daily_limit: 10, monthly_limit: 100 });
    assertEquals([r.status, r.body.daily_limit, r.body.monthly_limit], [200, 10, 100]);
    assertEquals(r.body.usage.daily, {
      ...r.body.usage.daily,
      used: 0,
      limit: 10,
      remaining: 10,
      percent: 0,
    });
    r = await put({ daily_limit: 20 });
    assertEquals([r.body.daily_limit, r.body.monthly_limit], [20, 100]);
    r = await put({ monthly_limit: null });
    assertEquals([r.body.daily_limit, r.body.monthly_limit], [20, null]);
    r = await call(gw, "GET", path, { token: admin.token });
    assertEquals([r.status, r.body.daily_limit, r.body.monthly_limit], [200, 20, null]);
  });

  await t.step("each validation message, and nothing changes", async () => {
    for (
      const [body, msg] of [
        [{ daily_limit: 0 }, "daily_limit must be a positive integer or null"],
        [{ daily_limit: "5" }, "daily_limit must be a positive integer or null"],
        [{ daily_limit: 1.5 }, "daily_limit must be a positive integer or null"],
        [{ monthly_limit: -1 }, "monthly_limit must be a positive integer or null"],
        [{ monthly_limit: 2_000_000_000 }, "monthly_limit must be a positive integer or null"],
        ["{nope", "Invalid JSON body"],
        [[1], "Invalid JSON body"],
      ] as [unknown, string][]
    ) {
      const r = await put(body);
      assertEquals([r.status, r.body], [400, errorBody(msg)], JSON.stringify(body));
    }
    const r = await call(gw, "GET", path, { token: admin.token });
    assertEquals([r.body.daily_limit, r.body.monthly_limit], [20, null]);
  });

  await t.step("unknown user is 404, a non-admin 403", async () => {
    for (const p of ["/admin/users/999999/quota", "/admin/users/abc/quota"]) {
      const r = await put({ daily_limit: 1 }, admin.token, p);
      assertEquals([r.status, r.body], [404, errorBody("User not found")], p);
    }
    const r = await put({ daily_limit: 1 }, gw.owner.token);
    assertEquals([r.status, r.body], [403, errorBody("Admin access required")]);
    assertEquals((await call(gw, "GET", "/api/usage", { token: gw.owner.token })).body.daily.limit, 20);
  });
});

Deno.test("at 100 % of the daily cap a send is 429 with the reason and never reaches the engine", async () => {
  await using gw = await startWithInstance("q-inst", FAST);
  await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: 3, monthly: null });
  for (let i = 0; i < 3; i++) assertEquals((await sendText(gw, i)).status, 201);
  const seen = engineSaw(gw, "/message/sendText").length;
  const r = await sendText(gw, 9);
  assertEquals(r.status, 429);
  assertEquals(r.body.error, "Daily message quota reached (3 of 3)");
  assertEquals([r.body.code, r.body.period, r.body.limit, r.body.used], [
    "quota_daily_exceeded",
    "day",
    3,
    3,
  ]);
  assert(Number(r.headers.get("retry-after")) > 0);
  assertEquals(engineSaw(gw, "/message/sendText").length, seen);
  const [{ n }] = await gw.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM taguato.message_logs`;
  assertEquals(n, 3);
  const usage = await call(gw, "GET", "/api/usage", { token: gw.owner.token });
  assertEquals([usage.status, usage.body.daily.used, usage.body.daily.remaining, usage.body.daily.percent], [
    200,
    3,
    0,
    100,
  ]);
  assertEquals([usage.body.monthly.used, usage.body.monthly.limit], [3, null]);
});

Deno.test("30 concurrent sends against a cap of 10: exactly 10 reach the engine", async () => {
  await using gw = await startWithInstance("q-inst", FAST);
  await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: 50, monthly: 10 });
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => sendText(gw, i)));
  const statuses = answers.map((a) => a.status);
  assertEquals(statuses.filter((s) => s === 201).length, 10);
  assertEquals(statuses.filter((s) => s === 429).length, 20);
  assertEquals(answers.find((a) => a.status === 429)?.body.error, "Monthly message quota reached (10 of 10)");
  assertEquals(engineSaw(gw, "/message/sendText").length, 10);
  const [{ used }] = await gw.db.sql<{ used: number }[]>`
    SELECT month_used AS used FROM taguato.user_quotas WHERE user_id = ${gw.owner.id}`;
  assertEquals(used, 10);
  // The refused sends left no ledger row.
  const [{ logged }] = await gw.db.sql<{ logged: number }[]>`
    SELECT count(*)::int AS logged FROM taguato.message_logs WHERE user_id = ${gw.owner.id} AND source = 'api'`;
  assertEquals(logged, 10);
});

Deno.test("the 80 % warning is queued to the tenant's webhooks once per period", async () => {
  await using gw = await startWithInstance("q-inst", FAST);
  await gw.db.sql`
    INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events)
    VALUES (${gw.owner.id}, 'q-inst', 'https://hooks.example.com/t', '{MESSAGES_UPSERT}')`;
  await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: 5, monthly: null });
  const warnings = () =>
    gw.db.sql<{ body: string }[]>`SELECT body FROM taguato.webhook_deliveries WHERE event = 'quota.warning'`;
  for (let i = 0; i < 3; i++) await sendText(gw, i);
  assertEquals((await warnings()).length, 0);
  await sendText(gw, 3);
  await sendText(gw, 4);
  const rows = await warnings();
  assertEquals(rows.length, 1);
  const body = JSON.parse(rows[0].body);
  assertEquals([
    body.event,
    body.instance,
    body.data.period,
    body.data.used,
    body.data.limit,
    body.data.percent,
  ], [
    "quota.warning",
    "q-inst",
    "day",
    4,
    5,
    80,
  ]);
});

Deno.test("consumeQuota: all-or-nothing for a batch, and a new UTC day restarts the daily count", async () => {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 23, 0));
  await using gw = await startWithInstance("q-inst", { ...FAST, clock });
  const id = gw.owner.id;
  await setQuotaLimits(gw.db.sql, id, { daily: 5, monthly: 8 });
  assertEquals((await consumeQuota(gw.deps, id, 4)).daily.used, 4);
  const refused = await consumeQuota(gw.deps, id, 2).catch((e) => e);
  assert(refused instanceof HttpError);
  assertEquals([refused.status, refused.code], [429, "quota_daily_exceeded"]);
  assertEquals((await consumeQuota(gw.deps, id, 1)).daily.used, 5);
  clock.advance(2 * 3600_000);
  const next = await consumeQuota(gw.deps, id, 3);
  assertEquals([next.daily.used, next.monthly.used, next.daily.resets_at], [
    3,
    8,
    "2026-03-12T00:00:00.000Z",
  ]);
  const full = await consumeQuota(gw.deps, id, 1).catch((e) => e);
  assertEquals(full.code, "quota_monthly_exceeded");
  // A user without a quota row is counted without a cap.
  const other = await makeUser(gw);
  assertEquals((await consumeQuota(gw.deps, other.id, 1000)).daily, {
    used: 1000,
    limit: null,
    remaining: null,
    percent: null,
    resets_at: "2026-03-12T00:00:00.000Z",
  });
});

Deno.test("the 80 % warning e-mails the user once when SMTP is configured", async () => {
  const smtp = await startSmtpSink();
  try {
    await using gw = await startWithInstance("q-inst", {
      env: {
        ...FAST.env,
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(smtp.port),
        SMTP_FROM: "noreply@taguato.test",
        SMTP_SECURE: "none",
      },
    });
    await gw.db.sql`UPDATE taguato.users SET email = 'quota@example.com' WHERE id = ${gw.owner.id}`;
    await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: null, monthly: 5 });
    for (let i = 0; i < 5; i++) assertEquals((await sendText(gw, i)).status, 201);
    const mail = await smtp.waitFor("quota@example.com");
    assertEquals(mail.subject, "Message quota at 80% - TAGUATO-SEND");
    assert(mail.text.includes("4 of your monthly quota of 5"), mail.text);
    assertEquals(smtp.to("quota@example.com").length, 1);
  } finally {
    await smtp.stop();
  }
});

needs("postgres").test(
  "two replicas (two pools on one database) consuming at once never pass the cap",
  async () => {
    await using gw = await startWithInstance("q-inst", FAST);
    const replica = connect(gw.db.url, 5);
    try {
      await setQuotaLimits(gw.db.sql, gw.owner.id, { daily: 25, monthly: null });
      const other = { ...gw.deps, sql: replica };
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) => consumeQuota(i % 2 ? gw.deps : other, gw.owner.id, 1)),
      );
      const admitted = results.flatMap((r) => r.status === "fulfilled" ? [r.value.daily.used] : []);
      // Each admitted send saw the ones before it, whichever replica's batch it went in.
      assertEquals(admitted.sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i + 1));
      const [{ used }] = await replica<{ used: number }[]>`
      SELECT day_used AS used FROM taguato.user_quotas WHERE user_id = ${gw.owner.id}`;
      assertEquals(used, 25);
    } finally {
      await replica.end();
    }
  },
);

Deno.test("sends of several users arriving together are admitted as one by one would", async () => {
  await using gw = await startWithInstance("q-inst", FAST);
  const capped = gw.owner.id;
  const uncapped = (await makeUser(gw)).id;
  const roomy = (await makeUser(gw)).id;
  await setQuotaLimits(gw.db.sql, capped, { daily: 3, monthly: null });
  await setQuotaLimits(gw.db.sql, roomy, { daily: 10, monthly: 4 });
  // Interleaved, in one tick: they share one batch.
  const order = [
    capped,
    uncapped,
    roomy,
    capped,
    uncapped,
    capped,
    roomy,
    capped,
    uncapped,
    capped,
    uncapped,
  ];
  const results = await Promise.allSettled(order.map((id) => consumeQuota(gw.deps, id, 1)));
  const outcome = (id: number) =>
    results.flatMap((r, i) =>
      order[i] !== id ? [] : [r.status === "fulfilled" ? r.value.daily.used : (r.reason as HttpError).code]
    );
  // Per user in arrival order: the first three of the capped user fit, the rest are refused.
  assertEquals(outcome(capped), [1, 2, 3, "quota_daily_exceeded", "quota_daily_exceeded"]);
  assertEquals(outcome(uncapped), [1, 2, 3, 4]);
  assertEquals(outcome(roomy), [1, 2]);
  const rows = await gw.db.sql<{ user_id: number; day_used: number; month_used: number }[]>`
    SELECT user_id::int, day_used, month_used FROM taguato.user_quotas
    WHERE user_id IN (${capped}, ${uncapped}, ${roomy}) ORDER BY user_id`;
  assertEquals(
    rows.map((r) => [r.user_id, r.day_used, r.month_used]),
    [[capped, 3, 3], [uncapped, 4, 4], [roomy, 2, 2]].sort((a, b) => a[0] - b[0]),
  );
});

Deno.test("admitOutbound: a send is counted and recorded in one commit, or neither; batched as one by one would", async () => {
  await using gw = await startWithInstance("q-inst", FAST);
  const capped = gw.owner.id;
  const other = (await makeUser(gw)).id;
  await setQuotaLimits(gw.db.sql, capped, { daily: 2, monthly: null });
  const rec = (userId: number, phone: string) => ({
    userId,
    instanceName: "q-inst",
    phoneNumber: phone,
    messageType: "text",
    status: "sending" as const,
    source: "api" as const,
    bodyText: `to ${phone}`,
  });
  const rowsOf = (userId: number) =>
    gw.db.sql<{ id: number; phone_number: string; body_text: string; status: string }[]>`
      SELECT id::int, phone_number, body_text, status FROM taguato.message_logs
      WHERE user_id = ${userId} ORDER BY id`;
  const used = async (userId: number) =>
    (await gw.db.sql<{ n: number }[]>`
      SELECT day_used AS n FROM taguato.user_quotas WHERE user_id = ${userId}`)[0]?.n ?? 0;

  // Alone: one statement admits it and writes its row.
  const lone = await admitOutbound(gw.deps, rec(other, "595981000001"));
  assertEquals(lone.usage.daily.used, 1);
  assertEquals((await rowsOf(other)).map((r) => [r.id, r.phone_number, r.status]), [
    [lone.id, "595981000001", "sending"],
  ]);

  // Together, in one tick: per user in arrival order, and each caller gets its own row's id.
  const order = [capped, other, capped, other, capped, capped];
  const results = await Promise.allSettled(
    order.map((u, i) => admitOutbound(gw.deps, rec(u, `59598100010${i}`))),
  );
  const outcome = results.map((r) =>
    r.status === "fulfilled" ? r.value.usage.daily.used : (r.reason as HttpError).code
  );
  assertEquals(outcome, [1, 2, 2, 3, "quota_daily_exceeded", "quota_daily_exceeded"]);
  const ids = results.map((r) => r.status === "fulfilled" ? r.value.id : null);
  const mine = await rowsOf(capped);
  // Refused sends left no row and counted nothing.
  assertEquals(mine.map((r) => [r.id, r.phone_number, r.body_text]), [
    [ids[0], "595981000100", "to 595981000100"],
    [ids[2], "595981000102", "to 595981000102"],
  ]);
  assertEquals(await used(capped), 2);
  assertEquals((await rowsOf(other)).map((r) => r.id), [lone.id, ids[1], ids[3]]);

  // A row the database refuses (phone_number is at most 128 characters) fails only its caller, and its
  // quota is not counted: the upsert and the INSERT commit together or not at all.
  const [bad, neighbour] = await Promise.allSettled([
    admitOutbound(gw.deps, rec(other, "9".repeat(200))),
    admitOutbound(gw.deps, rec(other, "595981000200")),
  ]);
  assertEquals(bad.status, "rejected");
  assert(neighbour.status === "fulfilled");
  assertEquals(neighbour.value.usage.daily.used, 4);
  assertEquals(await used(other), 4);
  assertEquals((await rowsOf(other)).map((r) => r.phone_number).at(-1), "595981000200");
});
