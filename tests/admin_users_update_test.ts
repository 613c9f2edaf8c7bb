// PUT/DELETE /admin/users/{id} and POST /admin/users/{id}/reset-2fa|reset-password against the real
// gateway: JSON null semantics, self-protection, the last-admin rule, audit without secrets, and changes
// that take effect on the user's very next request.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { adminLogin, assertError, call, createUser, login } from "./_helpers/accounts.ts";
import { ENGINE_KEY, startTestApp, type TestApp } from "./_helpers/app.ts";

const lastAudit = async (t: TestApp, action: string) =>
  (await t.deps.sql`
    SELECT user_id, username, resource_type, resource_id, details FROM taguato.audit_log
    WHERE action = ${action} ORDER BY id DESC LIMIT 1`)[0];
const adminId = async (t: TestApp) =>
  (await t.deps.sql`SELECT id FROM taguato.users WHERE username = ${t.admin.username}`)[0].id as number;

Deno.test("PUT /admin/users/{id} updates only what is sent; null clears nullable fields", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, {
    username: "alice",
    email: "alice@example.com",
    phone_number: "595981000111",
    rate_limit: 10,
  });
  await createUser(t, admin, { username: "bob", email: "bob@example.com" });
  const put = (id: number | string, body: unknown, token = admin) =>
    call(t, "PUT", `/admin/users/${id}`, { token, body });

  await s.step(
    "null clears rate_limit and email, '' clears the phone; audit lists names and values",
    async () => {
      const res = await put(alice.id, {
        rate_limit: null,
        email: null,
        phone_number: "",
        max_instances: 4,
      });
      assertEquals(res.status, 200);
      const u = res.body.user;
      assertEquals([u.rate_limit, u.email, u.phone_number, u.max_instances], [null, null, null, 4]);
      const row = await lastAudit(t, "user_updated");
      assertEquals(row.resource_id, String(alice.id));
      assertEquals(row.details.fields.sort(), ["email", "max_instances", "phone_number", "rate_limit"]);
      assertEquals(row.details.values, {
        rate_limit: null,
        email: null,
        phone_number: null,
        max_instances: 4,
      });
    },
  );

  const bad: [string, unknown, string][] = [
    ["null role", { role: null }, "role must be 'user' or 'admin'"],
    ["null max_instances", { max_instances: null }, "max_instances must be a non-negative integer"],
    ["negative max_instances", { max_instances: -2 }, "max_instances must be a non-negative integer"],
    ["null is_active", { is_active: null }, "is_active must be a boolean"],
    ["string is_active", { is_active: "false" }, "is_active must be a boolean"],
    ["fractional rate_limit", { rate_limit: 2.5 }, "rate_limit must be a non-negative integer or null"],
    ["null password", { password: null }, "Password is required"],
    ["weak password", { password: "NoDigitsHere" }, "Password must contain at least one number"],
    ["bad e-mail", { email: "x@y" }, "Invalid email format"],
    ["bad phone", { phone_number: "12ab5678" }, "Phone number must contain only digits"],
    ["null regenerate_token", { regenerate_token: null }, "regenerate_token must be a boolean"],
    ["an empty body", {}, "No fields to update"],
    ["only unknown fields", { username: "renamed" }, "No fields to update"],
    ["regenerate_token false alone", { regenerate_token: false }, "No fields to update"],
  ];
  for (const [what, body, message] of bad) {
    await s.step(`400 "${message}" for ${what}, nothing changes`, async () => {
      const before = (await t.deps.sql`SELECT * FROM taguato.users WHERE id = ${alice.id}`)[0];
      assertError(await put(alice.id, body), 400, message);
      assertEquals((await t.deps.sql`SELECT * FROM taguato.users WHERE id = ${alice.id}`)[0], before);
    });
  }

  await s.step('409 "Email already in use" for another user\'s address (any case)', async () => {
    assertError(await put(alice.id, { email: "BOB@example.com" }), 409, "Email already in use");
  });

  await s.step("404 for unknown or non-numeric ids, 403 for a non-admin", async () => {
    assertError(await put(999999, { max_instances: 2 }), 404, "User not found");
    assertError(await put("x1", { max_instances: 2 }), 404, "User not found");
    assertError(await put(alice.id, { max_instances: 9 }, alice.token), 403, "Admin access required");
  });

  await s.step("a password set by an admin signs the user out and is never audited", async () => {
    const res = await put(alice.id, { password: "N3wSecretPass" });
    assertEquals(res.status, 200);
    assertEquals(res.body.user.must_change_password, true);
    assertError(
      await call(t, "GET", "/api/sessions", { token: alice.token }),
      401,
      "Invalid or expired session token",
    );
    const row = await lastAudit(t, "user_updated");
    assertEquals(row.details.fields, ["password"]);
    assert(!JSON.stringify(row.details).includes("N3wSecretPass"));
    alice.token = await login(t, "alice", "N3wSecretPass");
  });

  await s.step("a role change applies on the user's next request", async () => {
    assertEquals((await call(t, "GET", "/admin/users", { token: alice.token })).status, 403);
    assertEquals((await put(alice.id, { role: "admin" })).body.user.role, "admin");
    assertEquals((await call(t, "GET", "/admin/users", { token: alice.token })).status, 200);
    assertEquals((await put(alice.id, { role: "user" })).body.user.role, "user");
    assertEquals((await call(t, "GET", "/admin/users", { token: alice.token })).status, 403);
  });

  await s.step("regenerate_token signs the user out everywhere", async () => {
    assertEquals((await put(alice.id, { regenerate_token: true })).status, 200);
    assertEquals((await call(t, "GET", "/api/sessions", { token: alice.token })).status, 401);
    alice.token = await login(t, "alice", "N3wSecretPass");
  });

  await s.step("deactivation signs the user out at once and blocks login", async () => {
    assertEquals((await put(alice.id, { is_active: false })).body.user.is_active, false);
    assertEquals((await call(t, "GET", "/api/sessions", { token: alice.token })).status, 401);
    const again = await call(t, "POST", "/api/auth/login", {
      body: { username: "alice", password: "N3wSecretPass" },
    });
    assertEquals(again.status, 401);
    assertEquals((await put(alice.id, { is_active: true })).body.user.is_active, true);
  });

  await s.step("an admin cannot demote or deactivate themselves", async () => {
    const me = await adminId(t);
    assertError(await put(me, { role: "user" }), 400, "Cannot change your own role");
    assertError(await put(me, { is_active: false }), 400, "Cannot deactivate your own account");
    assertEquals((await put(me, { role: "admin", max_instances: 3 })).status, 200);
  });
});

Deno.test("two admins demoting each other at once never leave the system without an admin", async () => {
  await using t = await startTestApp();
  const root = await adminLogin(t);
  const other = await createUser(t, root, { username: "other_admin", role: "admin" });
  const rootId = await adminId(t);
  const [a, b] = await Promise.all([
    call(t, "PUT", `/admin/users/${other.id}`, { token: root, body: { role: "user" } }),
    call(t, "PUT", `/admin/users/${rootId}`, { token: other.token, body: { role: "user" } }),
  ]);
  assert([a.status, b.status].filter((s) => s === 200).length <= 1, `${a.status} ${b.status}`);
  const [{ n }] = await t.deps
    .sql`SELECT count(*)::int AS n FROM taguato.users WHERE role = 'admin' AND is_active`;
  assertEquals(n, 1);
});

Deno.test("DELETE /admin/users/{id} removes the user, signs them out and keeps audit rows", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  assertError(
    await call(t, "DELETE", `/admin/users/${await adminId(t)}`, { token: admin }),
    400,
    "Cannot delete your own account",
  );
  assertError(
    await call(t, "DELETE", `/admin/users/${alice.id}`, { token: alice.token }),
    403,
    "Admin access required",
  );
  assertError(await call(t, "DELETE", "/admin/users/999999", { token: admin }), 404, "User not found");
  const res = await call(t, "DELETE", `/admin/users/${alice.id}`, { token: admin });
  assertEquals(res.status, 200);
  assertEquals(res.body, { deleted: { id: alice.id, username: "alice" } });
  assertEquals((await call(t, "GET", "/api/sessions", { token: alice.token })).status, 401);
  assertEquals((await lastAudit(t, "user_deleted")).details, { username: "alice" });
  const created = (await t.deps.sql`
    SELECT user_id, username FROM taguato.audit_log WHERE action = 'user_login' AND username = 'alice'`)[0];
  assertEquals(created, { user_id: null, username: "alice" });
  assertError(await call(t, "DELETE", `/admin/users/${alice.id}`, { token: admin }), 404, "User not found");
});

Deno.test("DELETE /admin/users/{id} deletes the user's instances from the engine", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice", max_instances: 2 });
  for (const instanceName of ["alice-a", "alice-b"]) {
    const created = await call(t, "POST", "/instance/create", { token: alice.token, body: { instanceName } });
    assertEquals(created.status, 201);
  }
  const engineNames = async () => {
    const res = await fetch(`${t.sandbox.url}/instance/fetchInstances`, { headers: { apikey: ENGINE_KEY } });
    return ((await res.json()) as { name: string }[]).map((i) => i.name).sort();
  };
  assertEquals(await engineNames(), ["alice-a", "alice-b"]);
  assertEquals((await call(t, "DELETE", `/admin/users/${alice.id}`, { token: admin })).status, 200);
  assertEquals(await engineNames(), []);
});

Deno.test("POST /admin/users/{id}/reset-2fa clears the secret and the recovery codes", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  const path = `/admin/users/${alice.id}/reset-2fa`;
  assertError(await call(t, "POST", path, { token: admin }), 400, "2FA is not currently enabled");
  await t.deps.sql`
    UPDATE taguato.users SET totp_enabled = true, totp_secret_enc = 'sealed', totp_last_step = 1
    WHERE id = ${alice.id}`;
  await t.deps.sql`
    INSERT INTO taguato.totp_recovery_codes (user_id, code_hash) VALUES (${alice.id}, ${"a".repeat(64)})`;
  assertError(await call(t, "POST", path, { token: alice.token }), 403, "Admin access required");
  const res = await call(t, "POST", path, { token: admin });
  assertEquals(res.status, 200);
  assertEquals(res.body, { message: "Two-factor authentication reset" });
  const [u] = await t.deps.sql`
    SELECT totp_enabled, totp_secret_enc, totp_last_step FROM taguato.users WHERE id = ${alice.id}`;
  assertEquals(u, { totp_enabled: false, totp_secret_enc: null, totp_last_step: null });
  const [{ n }] = await t.deps.sql`
    SELECT count(*)::int AS n FROM taguato.totp_recovery_codes WHERE user_id = ${alice.id}`;
  assertEquals(n, 0);
  assertEquals((await lastAudit(t, "2fa_reset_by_admin")).details, { target_username: "alice" });
  assertError(
    await call(t, "POST", "/admin/users/999999/reset-2fa", { token: admin }),
    404,
    "User not found",
  );
});

Deno.test("POST /admin/users/{id}/reset-password checks the user's e-mail and SMTP first", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const plain = await createUser(t, admin, { username: "plain" });
  const mailed = await createUser(t, admin, { username: "mailed", email: "mailed@example.com" });
  const path = (id: number) => `/admin/users/${id}/reset-password`;
  assertError(await call(t, "POST", path(999999), { token: admin }), 404, "User not found");
  assertError(await call(t, "POST", path(plain.id), { token: admin }), 400, "User has no email configured");
  assertError(await call(t, "POST", path(mailed.id), { token: admin }), 400, "SMTP is not configured");
  assertError(await call(t, "POST", path(mailed.id), { token: plain.token }), 403, "Admin access required");
  const [{ n }] = await t.deps.sql`SELECT count(*)::int AS n FROM taguato.password_resets`;
  assertEquals(n, 0);
});
