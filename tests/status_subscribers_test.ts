// Status subscribers against the real gateway and a loopback SMTP sink: double opt-in, notices of
// incidents and maintenance to the confirmed followers of an affected service, one-click unsubscribe.
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { adminLogin, assertError, call } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";
import { startMailingApp } from "./_helpers/recovery.ts";
import type { ReceivedMail } from "./_helpers/smtp.ts";

const linkIn = (mail: ReceivedMail, path: string) => {
  const m = mail.text.match(new RegExp(`(http://[^\\s]+${path.replace("?", "\\?")}[0-9a-f]{64})`));
  assert(m, `no ${path} link in ${mail.text}`);
  return m[1];
};

/** Waits for a mail to `to` whose subject includes `text` (the notices go out in the background). */
async function mailWith(sink: { to(to: string): ReceivedMail[] }, to: string, text: string) {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const found = sink.to(to).find((m) => m.subject.includes(text));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail to ${to} about ${text}: ${sink.to(to).map((m) => m.subject)}`);
}

Deno.test("subscribers: confirm link, notices for followed services only, one-click unsubscribe", async (s) => {
  await using t = await startMailingApp();
  const admin = await adminLogin(t);
  const subscribeAs = (body: unknown, ip = "203.0.113.50") =>
    call(t, "POST", "/api/status/subscribe", { body, headers: { "x-forwarded-for": ip } });

  await s.step("validation: e-mail and services", async () => {
    assertError(await subscribeAs({}), 400, "Invalid email format");
    assertError(await subscribeAs({ email: "no-at-sign" }), 400, "Invalid email format");
    assertError(
      await subscribeAs({ email: "a@b.co", service_ids: ["x"] }),
      400,
      "service_ids must be an array of positive integers",
    );
    assertEquals((await t.deps.sql`SELECT count(*)::int AS n FROM taguato.status_subscribers`)[0].n, 0);
  });

  let redisFan = "";
  await s.step("202 and a confirmation mail; nothing is sent before confirming", async () => {
    const res = await subscribeAs({ email: "All@Example.com" });
    assertEquals(res.status, 202);
    const mail = await t.sink.waitFor("all@example.com");
    const confirm = linkIn(mail, "/api/status/subscribe/confirm?token=");
    // The redis follower stays unconfirmed for now.
    await subscribeAs({ email: "redis@example.com", service_ids: [4], locale: "en" });
    redisFan = linkIn(await t.sink.waitFor("redis@example.com"), "/api/status/subscribe/confirm?token=");
    const opened = await fetch(confirm, { redirect: "manual" });
    await opened.body?.cancel();
    assertEquals([opened.status, opened.headers.get("location")], [303, "/status/?subscription=confirmed"]);
    // The link works once.
    const again = await fetch(confirm, { redirect: "manual" });
    assertEquals(again.status, 404);
    assertEquals((await again.json()).error, "Invalid or expired link");
  });

  await s.step(
    "an incident on the engine reaches the all-services follower only (redis is unconfirmed)",
    async () => {
      await call(t, "POST", "/admin/incidents", {
        token: admin,
        body: { title: "Motor lento", severity: "minor", message: "Investigando", service_ids: [2] },
      });
      const notice = await mailWith(t.sink, "all@example.com", "Motor lento");
      assertStringIncludes(notice.subject, "Nuevo incidente");
      assertStringIncludes(notice.raw, "List-Unsubscribe-Post: List-Unsubscribe=One-Click");
      // nodemailer folds the long header onto a continuation line.
      assert(
        /List-Unsubscribe:\s+<http:\/\/[^>]+\/api\/status\/unsubscribe\?token=[0-9a-f]{64}>/.test(notice.raw),
      );
      assertEquals(t.sink.to("redis@example.com").length, 1, "only the confirmation");
    },
  );

  await s.step(
    "the redis follower, once confirmed, hears about Redis maintenance but not engine updates",
    async () => {
      const ok = await fetch(redisFan, { redirect: "manual" });
      await ok.body?.cancel();
      const [incident] = await t.deps.sql`SELECT id FROM taguato.incidents`;
      await call(t, "POST", `/admin/incidents/${incident.id}/updates`, {
        token: admin,
        body: { status: "resolved", message: "Normalizado" },
      });
      await call(t, "POST", "/admin/maintenance", {
        token: admin,
        body: {
          title: "Redis upgrade",
          scheduled_start: "2030-01-01T02:00:00Z",
          scheduled_end: "2030-01-01T03:00:00Z",
          service_ids: [4],
        },
      });
      await mailWith(t.sink, "redis@example.com", "Maintenance scheduled: Redis upgrade");
      await mailWith(t.sink, "all@example.com", "Incidente resuelto: Motor lento");
      await mailWith(t.sink, "all@example.com", "Mantenimiento programado: Redis upgrade");
      // The engine incident's resolution was not for the Redis follower.
      assertEquals(t.sink.to("redis@example.com").length, 2);
    },
  );

  await s.step("one-click unsubscribe (RFC 8058 POST), then the token is spent", async () => {
    const notice = await mailWith(t.sink, "redis@example.com", "Redis upgrade");
    const link = linkIn(notice, "/api/status/unsubscribe?token=");
    const res = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    assertEquals([res.status, (await res.json()).message], [200, "Unsubscribed"]);
    const again = await fetch(link, { redirect: "manual" });
    assertEquals(again.status, 404);
    await again.body?.cancel();
    const left = await t.deps.sql`SELECT email FROM taguato.status_subscribers`;
    assertEquals(left.map((r) => r.email), ["all@example.com"]);
  });

  await s.step("the status page offers the form and says the subscription was confirmed", async () => {
    const html = await (await fetch(`${t.url}/status/?subscription=confirmed`)).text();
    assertStringIncludes(html, 'data-island="StatusSubscribe"');
    assertStringIncludes(html, "Suscripción confirmada");
  });

  await s.step("a malformed token is the same 404", async () => {
    assertError(await call(t, "GET", "/api/status/unsubscribe?token=abc"), 404, "Invalid or expired link");
    assertError(
      await call(t, "GET", "/api/status/subscribe/confirm?token=zz"),
      404,
      "Invalid or expired link",
    );
  });

  await s.step("subscribing is limited per client address", async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) {
      answers.push(await subscribeAs({ email: `x${i}@example.com` }, "198.51.100.7"));
    }
    assertEquals(answers.map((a) => a.status), [202, 202, 202, 202, 202, 429]);
  });
});

Deno.test("POST /api/status/subscribe answers 503 without SMTP", async () => {
  await using t = await startTestApp();
  assertError(
    await call(t, "POST", "/api/status/subscribe", { body: { email: "a@example.com" } }),
    503,
    "E-mail subscriptions are not available",
  );
});
