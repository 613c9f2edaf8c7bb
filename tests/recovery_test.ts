// Password recovery (contract §2.7) end to end: a real SMTP server on loopback receives the e-mail, the
// code is read from it, verified, and the password reset; plus limits, attempts and expiry.
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { sha256Hex } from "../lib/core/mod.ts";
import {
  adminLogin,
  assertError,
  call,
  createUser,
  eventually,
  login,
  type TestUser,
  USER_PASSWORD,
} from "./_helpers/accounts.ts";
import { codesOf, forgot, GENERIC, reset, startMailingApp, verify } from "./_helpers/recovery.ts";
import { codeFrom } from "./_helpers/smtp.ts";

Deno.test("recovery by e-mail: receive the code over SMTP, verify it, reset, log in", async (s) => {
  await using t = await startMailingApp();
  const { sink } = t;
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice", email: "alice@example.com" });
  await t.deps.sql`
    UPDATE taguato.users SET failed_login_attempts = 4, locked_until = now() + interval '1 minute'
    WHERE id = ${alice.id}`;
  let code = "";
  let token = "";

  await s.step("step 1 answers the generic 200 and e-mails a Spanish code by default", async () => {
    const res = await forgot(t, { username: "alice" });
    assertEquals(res.status, 200);
    assertEquals(res.body, { message: GENERIC });
    const mail = await sink.waitFor("alice@example.com");
    assertEquals(mail.from, "noreply@taguato.test");
    assertEquals(mail.subject, "Código de recuperación - TAGUATO-SEND");
    assertStringIncludes(mail.text, "Hola alice");
    code = codeFrom(mail);
    assertStringIncludes(mail.html, code);
    const [row] = await t.deps.sql`
      SELECT code_hash, method, attempts, expires_at > now() + interval '14 minutes' AS fresh
      FROM taguato.password_resets WHERE user_id = ${alice.id}`;
    assertEquals([row.method, row.attempts, row.fresh], ["email", 0, true]);
    assert(!row.code_hash.includes(code), "the code is stored only as a digest");
    const [audit] = await t.deps.sql`
      SELECT resource_id, details FROM taguato.audit_log WHERE action = 'password_reset_requested'`;
    assertEquals(audit, { resource_id: String(alice.id), details: { method: "email" } });
  });

  await s.step("step 2 exchanges the code for a reset token stored only as its SHA-256", async () => {
    const res = await verify(t, { email: "ALICE@example.com", code });
    assertEquals(res.status, 200);
    token = res.body.reset_token;
    assert(/^[0-9a-f]{64}$/.test(token));
    const [row] = await t.deps.sql`
      SELECT reset_token_hash, expires_at < now() + interval '11 minutes' AS short
      FROM taguato.password_resets WHERE user_id = ${alice.id}`;
    assertEquals([row.reset_token_hash, row.short], [await sha256Hex(token), true]);
  });

  const badResets: [string, unknown, string][] = [
    ["no token", { new_password: "Brand9NewPass" }, "reset_token is required"],
    ["no password", { reset_token: "x" }, "new_password is required"],
    [
      "a weak password",
      { reset_token: "x", new_password: "short1A" },
      "Password must be at least 8 characters",
    ],
    [
      "an unknown token",
      { reset_token: "0".repeat(64), new_password: "Brand9NewPass" },
      "Invalid or expired reset token",
    ],
    [
      "a malformed token",
      { reset_token: "nope", new_password: "Brand9NewPass" },
      "Invalid or expired reset token",
    ],
  ];
  for (const [what, body, message] of badResets) {
    await s.step(`step 3: 400 "${message}" for ${what}`, async () => {
      assertError(await reset(t, body), 400, message);
    });
  }

  await s.step("step 3 sets the password, clears lockout, signs out every session, audits", async () => {
    const res = await reset(t, { reset_token: token, new_password: "Brand9NewPass" });
    assertEquals(res.status, 200);
    assertEquals(
      res.body.message,
      "Password has been reset successfully. Please login with your new password.",
    );
    assertEquals((await call(t, "GET", "/api/sessions", { token: alice.token })).status, 401);
    const [u] = await t.deps.sql`
      SELECT must_change_password, failed_login_attempts, locked_until FROM taguato.users WHERE id = ${alice.id}`;
    assertEquals(u, { must_change_password: false, failed_login_attempts: 0, locked_until: null });
    const old = await call(t, "POST", "/api/auth/login", {
      body: { username: "alice", password: USER_PASSWORD },
    });
    assertEquals(old.status, 401);
    await login(t, "alice", "Brand9NewPass");
    const [{ n }] = await t.deps.sql`
      SELECT count(*)::int AS n FROM taguato.audit_log WHERE action = 'password_reset_completed'`;
    assertEquals(n, 1);
  });

  await s.step("a used token and a used code are refused", async () => {
    assertError(
      await reset(t, { reset_token: token, new_password: "Another9Pass" }),
      400,
      "Invalid or expired reset token",
    );
    assertError(await verify(t, { username: "alice", code }), 400, "Invalid code or expired");
  });
});

Deno.test("recovery: English e-mail, validation, anti-enumeration and the limits", async (s) => {
  await using t = await startMailingApp();
  const { sink } = t;
  const admin = await adminLogin(t);
  const bob = await createUser(t, admin, { username: "bob", email: "bob@example.com" });
  const users: TestUser[] = [];
  for (const n of [1, 2, 3, 4]) {
    users.push(await createUser(t, admin, { username: `user${n}`, email: `u${n}@example.com` }));
  }

  await s.step("the e-mail follows Accept-Language", async () => {
    await forgot(t, { email: "bob@example.com" }, "198.51.100.1", { "accept-language": "en-US,en;q=0.9" });
    const mail = await sink.waitFor("bob@example.com");
    assertEquals(mail.subject, "Recovery code - TAGUATO-SEND");
    assertStringIncludes(mail.text, "Hello bob");
  });

  for (
    const [what, body, message] of [
      ["no identifier", {}, "username or email is required"],
      ["a blank username", { username: "  " }, "username or email is required"],
      ["a numeric username", { username: 5 }, "username or email is required"],
    ] as const
  ) {
    await s.step(`step 1: 400 "${message}" for ${what}`, async () => {
      assertError(await forgot(t, body), 400, message);
    });
  }
  await s.step("step 1: 400 for an unparseable body", async () => {
    const res = await call(t, "POST", "/api/auth/forgot-password", { raw: "{oops" });
    assertError(res, 400, "Invalid JSON body");
  });

  await s.step("unknown and disabled accounts get the same 200 and nothing is sent", async () => {
    const ghost = await forgot(t, { username: "ghost" }, "198.51.100.2");
    assertEquals([ghost.status, ghost.body], [200, { message: GENERIC }]);
    await createUser(t, admin, { username: "off", email: "off@example.com", is_active: false });
    assertEquals((await forgot(t, { username: "off" }, "198.51.100.2")).body, { message: GENERIC });
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(sink.to("off@example.com").length, 0);
  });

  await s.step("a fourth request from one IP within the hour is silently ignored", async () => {
    for (const u of users) {
      assertEquals((await forgot(t, { username: u.username }, "192.0.2.50")).status, 200);
    }
    await eventually(async () => (await codesOf(t, users[2].id)) === 1 ? true : undefined, "third code");
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(await codesOf(t, users[3].id), 0);
    assertEquals(sink.to("u4@example.com").length, 0);
  });

  await s.step("a fourth request for one account within the hour is silently ignored", async () => {
    for (const ip of ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]) {
      assertEquals((await forgot(t, { username: "user4" }, ip)).status, 200);
    }
    await eventually(async () => (await codesOf(t, users[3].id)) === 3 ? true : undefined, "three codes");
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(await codesOf(t, users[3].id), 3);
  });

  await s.step("step 2 validation, then 5 wrong attempts burn the code", async () => {
    assertError(await verify(t, { code: "123456" }), 400, "username or email is required");
    assertError(await verify(t, { username: "bob" }), 400, "code is required");
    assertError(await verify(t, { username: "bob", code: 123456 }), 400, "code must be a string");
    assertError(await verify(t, { username: "ghost", code: "123456" }), 400, "Invalid code or expired");
    const right = codeFrom(sink.to("bob@example.com")[0]);
    const wrong = right === "000000" ? "000001" : "000000";
    for (let i = 0; i < 5; i++) {
      assertError(
        await verify(t, { username: "bob", code: wrong }, `192.0.2.${100 + i}`),
        400,
        "Invalid code or expired",
      );
    }
    assertError(
      await verify(t, { username: "bob", code: right }),
      400,
      "Too many attempts. Please request a new code.",
    );
    assertError(await verify(t, { username: "bob", code: right }), 400, "Invalid code or expired");
  });

  await s.step("an expired code and an expired reset token are refused", async () => {
    const u1 = users[0];
    const code = codeFrom(sink.to("u1@example.com")[0]);
    await t.deps
      .sql`UPDATE taguato.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = ${u1.id}`;
    assertError(await verify(t, { username: "user1", code }), 400, "Invalid code or expired");
    const u2code = codeFrom(sink.to("u2@example.com")[0]);
    const { body } = await verify(t, { username: "user2", code: u2code });
    await t.deps
      .sql`UPDATE taguato.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = ${
      users[1].id
    }`;
    assertError(
      await reset(t, { reset_token: body.reset_token, new_password: "Brand9NewPass" }),
      400,
      "Invalid or expired reset token",
    );
  });

  await s.step("step 2 is limited per IP (429 after 30 verifications in an hour)", async () => {
    for (let i = 0; i < 30; i++) await verify(t, { username: "ghost", code: "123456" }, "192.0.2.200");
    assertError(
      await verify(t, { username: "ghost", code: "123456" }, "192.0.2.200"),
      429,
      "Too many attempts. Please try again later.",
    );
  });
  assert(bob.id > 0);
});
