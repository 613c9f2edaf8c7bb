// Password recovery, the other channels: the admin-initiated e-mail (and its SMTP failure) and the
// WhatsApp channel through RECOVERY_ADMIN_INSTANCE on the sandbox engine.
import { freePort } from "./_helpers/services.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { engineCaller, sandboxControl } from "../lib/sandbox/testing.ts";
import { adminLogin, assertError, call, createUser, eventually, login } from "./_helpers/accounts.ts";
import { ENGINE_KEY, startTestApp } from "./_helpers/app.ts";
import { codesOf, forgot, GENERIC, reset, startMailingApp, verify } from "./_helpers/recovery.ts";
import { codeFrom } from "./_helpers/smtp.ts";

Deno.test("admin-initiated reset: the e-mail names the admin and the user completes steps 2-3", async () => {
  await using t = await startMailingApp();
  const { sink } = t;
  const admin = await adminLogin(t);
  const carol = await createUser(t, admin, { username: "carol", email: "carol@example.com" });
  const res = await call(t, "POST", `/admin/users/${carol.id}/reset-password`, { token: admin });
  assertEquals([res.status, res.body], [200, { message: "Reset email sent to user" }]);
  const mail = await sink.waitFor("carol@example.com");
  assertEquals(mail.subject, "Restablecimiento de contraseña - TAGUATO-SEND");
  assertStringIncludes(mail.text, `El administrador ${t.admin.username}`);
  const [row] = await t.deps.sql`SELECT method FROM taguato.password_resets WHERE user_id = ${carol.id}`;
  assertEquals(row.method, "admin_email");
  const [audit] = await t.deps.sql`
    SELECT username, resource_id, details FROM taguato.audit_log WHERE action = 'admin_password_reset'`;
  assertEquals(audit, {
    username: t.admin.username,
    resource_id: String(carol.id),
    details: { target_username: "carol" },
  });
  const { body } = await verify(t, { username: "carol", code: codeFrom(mail) });
  assertEquals(
    (await reset(t, { reset_token: body.reset_token, new_password: "Carol9Reset" })).status,
    200,
  );
  await login(t, "carol", "Carol9Reset");
});

Deno.test('admin-initiated reset: an unreachable SMTP server is 500 "Failed to send reset email"', async () => {
  const port = freePort();
  const t = await startTestApp({
    env: {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(port),
      SMTP_FROM: "noreply@taguato.test",
      SMTP_SECURE: "none",
    },
  });
  try {
    const admin = await adminLogin(t);
    const dan = await createUser(t, admin, { username: "dan", email: "dan@example.com" });
    assertError(
      await call(t, "POST", `/admin/users/${dan.id}/reset-password`, { token: admin }),
      500,
      "Failed to send reset email",
    );
    const [{ n }] = await t.deps.sql`
      SELECT count(*)::int AS n FROM taguato.password_resets WHERE user_id = ${dan.id} AND used_at IS NULL`;
    assertEquals(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("recovery by WhatsApp through RECOVERY_ADMIN_INSTANCE, only while it is open", async () => {
  await using t = await startTestApp({ env: { RECOVERY_ADMIN_INSTANCE: "recovery-bot" } });
  const admin = await adminLogin(t);
  const engine = engineCaller(t.sandbox.url, ENGINE_KEY);
  const created = await engine("POST", "/instance/create", {
    instanceName: "recovery-bot",
    integration: "WHATSAPP-BAILEYS",
  });
  assertEquals(created.status, 201);
  await t.deps.sql`
    INSERT INTO taguato.user_instances (user_id, instance_name)
    SELECT id, 'recovery-bot' FROM taguato.users WHERE username = ${t.admin.username}`;
  const erin = await createUser(t, admin, { username: "erin", phone_number: "595 981 000 222" });
  const sent = async () => {
    const res = await engine("POST", "/chat/findMessages/recovery-bot", {
      where: { key: { remoteJid: "595981000222@s.whatsapp.net" } },
    });
    return res.status === 200 ? res.body.messages.records : [];
  };

  // Not connected yet: the code is issued but nothing is sent.
  assertEquals((await forgot(t, { username: "erin" })).body, { message: GENERIC });
  await eventually(async () => (await codesOf(t, erin.id)) === 1 ? true : undefined, "first code");
  await new Promise((r) => setTimeout(r, 300));
  assertEquals((await sent()).length, 0);

  await sandboxControl(t.sandbox.url, ENGINE_KEY).scan("recovery-bot", { phone: "595981999999" });
  await forgot(t, { username: "erin" }, "203.0.113.9", { "accept-language": "en" });
  const records = await eventually(async () => {
    const r = await sent();
    return r.length ? r : undefined;
  }, "the WhatsApp message");
  const text = JSON.stringify(records[0].message);
  assertStringIncludes(text, "Your password recovery code is");
  const code = /\*(\d{6})\*/.exec(text)?.[1];
  assert(code, text);
  const { body } = await verify(t, { username: "erin", code });
  assertEquals((await reset(t, { reset_token: body.reset_token, new_password: "Erin9Whats" })).status, 200);
  await login(t, "erin", "Erin9Whats");
  const [audit] = await t.deps.sql`
    SELECT details FROM taguato.audit_log WHERE action = 'password_reset_requested' ORDER BY id DESC LIMIT 1`;
  assertEquals(audit.details, { method: "whatsapp" });
});
