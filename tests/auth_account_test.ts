// /api/auth/change-password, logout and logout-all (contract §1.3, §2.4).
import { errorBody } from "./_helpers/errors.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { auditRows, call, createUser, login } from "./_helpers/auth_client.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { sha256Hex } from "../lib/core/mod.ts";

const PW = "Passw0rd!";
const NEW = "Better1234";

const me = async (app: TestApp, token: string) => (await call(app, "GET", "/api/auth/me", { token })).status;

Deno.test("POST /api/auth/change-password checks the policy and the current password, then ends every session", async (t) => {
  await using app = await startTestApp();
  const id = await createUser(app, "ana", PW);
  await app.db.sql`UPDATE taguato.users SET must_change_password = true WHERE id = ${id}`;
  const token = await login(app, "ana", PW);
  const other = await login(app, "ana", PW);
  const change = (body: unknown, tok = token) =>
    call(app, "POST", "/api/auth/change-password", { token: tok, body });

  await t.step("needs a session", async () => {
    const r = await call(app, "POST", "/api/auth/change-password", { body: {} });
    assertEquals([r.status, r.body], [401, errorBody("Missing apikey header")]);
  });

  await t.step("bad input: the contract's messages, policy before the current password", async () => {
    const cases: [unknown, string][] = [
      ["{oops", "Invalid JSON body"],
      [{}, "current_password and new_password are required"],
      [{ current_password: PW }, "current_password and new_password are required"],
      [{ new_password: NEW }, "current_password and new_password are required"],
      [{ current_password: "Wrong999", new_password: "short" }, "Password must be at least 8 characters"],
      [
        { current_password: PW, new_password: "alllower1" },
        "Password must contain at least one uppercase letter",
      ],
      [
        { current_password: PW, new_password: "ALLUPPER1" },
        "Password must contain at least one lowercase letter",
      ],
      [{ current_password: PW, new_password: "NoDigitsHere" }, "Password must contain at least one number"],
      [
        { current_password: PW, new_password: "Aa1" + "x".repeat(300) },
        "Password must be at most 256 characters",
      ],
    ];
    for (const [body, message] of cases) {
      const r = await change(body);
      assertEquals([r.status, r.body], [400, errorBody(message)], JSON.stringify(body).slice(0, 80));
    }
    const wrong = await change({ current_password: "Wrong999", new_password: NEW });
    assertEquals([wrong.status, wrong.body], [401, errorBody("Current password is incorrect")]);
    // A wrong current password does not count toward the login lockout.
    const [u] = await app.db.sql`SELECT failed_login_attempts FROM taguato.users WHERE id = ${id}`;
    assertEquals(u.failed_login_attempts, 0);
    assertEquals(await me(app, token), 200);
  });

  await t.step("success ends every session and the new password works", async () => {
    const r = await change({ current_password: PW, new_password: NEW });
    assertEquals([r.status, r.body], [200, {
      message: "Password changed successfully. Please login again.",
    }]);
    assertEquals(await me(app, token), 401);
    assertEquals(await me(app, other), 401);
    const fresh = await login(app, "ana", NEW);
    assertEquals(await me(app, fresh), 200);
    const [u] = await app.db
      .sql`SELECT must_change_password, password_hash FROM taguato.users WHERE id = ${id}`;
    assertEquals(u.must_change_password, false);
    assert(u.password_hash.startsWith("$argon2id$"));
    const [a] = await auditRows(app, "password_changed");
    assertEquals([a.user_id, a.username, a.resource_type, a.details], [id, "ana", "user", null]);
  });

  await t.step("an API key cannot change the password", async () => {
    const key = "tgs_" + "k".repeat(40);
    await app.db.sql`INSERT INTO taguato.api_keys (user_id, name, key_hash, key_prefix)
      VALUES (${id}, 'ci', ${await sha256Hex(key)}, 'tgs_kkkk')`;
    const r = await change({ current_password: NEW, new_password: "Another123" }, key);
    assertEquals([r.status, r.body], [403, errorBody("This endpoint requires a login session")]);
  });
});

Deno.test("POST /api/auth/logout ends the current session and logout-all every session of that user only", async (t) => {
  await using app = await startTestApp();
  const id = await createUser(app, "ana", PW);

  await t.step("logout ends only the current session and clears the cookie", async () => {
    const a = await login(app, "ana", PW);
    const b = await login(app, "ana", PW);
    assertEquals((await call(app, "POST", "/api/auth/logout")).body, errorBody("Missing apikey header"));
    const r = await call(app, "POST", "/api/auth/logout", { token: a });
    assertEquals([r.status, r.body], [200, { message: "Logged out successfully" }]);
    assert(
      /taguato_session=;.*Max-Age=0/.test(r.headers.get("set-cookie") ?? ""),
      r.headers.get("set-cookie")!,
    );
    assertEquals(await me(app, a), 401);
    assertEquals(await me(app, b), 200);
    const again = await call(app, "POST", "/api/auth/logout", { token: a });
    assertEquals([again.status, again.body], [401, errorBody("Invalid or expired session token")]);
    const [row] = await auditRows(app, "user_logout");
    assertEquals([row.user_id, row.resource_type], [id, "session"]);
  });

  await t.step("logout-all ends every session of the user, not other users'", async () => {
    await createUser(app, "bob", PW);
    const bob = await login(app, "bob", PW);
    const a = await login(app, "ana", PW);
    const b = await login(app, "ana", PW);
    const r = await call(app, "POST", "/api/auth/logout-all", { token: a });
    assertEquals([r.status, r.body], [200, { message: "All sessions logged out successfully" }]);
    assertEquals([await me(app, a), await me(app, b), await me(app, bob)], [401, 401, 200]);
    const [n] = await app.db
      .sql`SELECT count(*)::int AS n FROM taguato.sessions WHERE user_id = ${id} AND is_active`;
    assertEquals(n.n, 0);
    assertEquals((await auditRows(app, "user_logout_all")).length, 1);
  });
});

Deno.test("every /api/auth route of this module is documented in /api/openapi.json", async () => {
  await using app = await startTestApp();
  const doc = (await call(app, "GET", "/api/openapi.json")).body as { paths: Record<string, object> };
  const expected = {
    "/api/auth/login": "post",
    "/api/auth/me": "get",
    "/api/auth/change-password": "post",
    "/api/auth/logout": "post",
    "/api/auth/logout-all": "post",
    "/api/auth/2fa/setup": "get",
    "/api/auth/2fa/enable": "post",
    "/api/auth/2fa/disable": "post",
    "/api/auth/2fa/recovery-codes": "post",
  };
  for (const [path, method] of Object.entries(expected)) {
    assert(doc.paths[path] && method in doc.paths[path], `${method.toUpperCase()} ${path}`);
  }
  const unknown = await call(app, "GET", "/api/auth/nope");
  assertEquals([unknown.status, unknown.body], [404, errorBody("Not found")]);
});

Deno.test("GET /api/auth/me lists the instances the user owns, oldest first, and not granted ones", async () => {
  await using app = await startTestApp();
  const ana = await createUser(app, "ana", PW);
  const bob = await createUser(app, "bob", PW);
  const token = await login(app, "ana", PW);
  type Me = { user: { username: string; instances: unknown[] } };
  const empty = await call(app, "GET", "/api/auth/me", { token });
  assertEquals((empty.body as Me).user.instances, []);
  await app.db.sql`
    INSERT INTO taguato.user_instances (user_id, instance_name, created_at) VALUES
      (${ana}, 'ana-second', '2026-02-01T10:00:00Z'), (${ana}, 'ana-first', '2026-01-01T10:00:00.5Z'),
      (${bob}, 'bob-shared', '2026-01-15T10:00:00Z')`;
  await app.db.sql`
    INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id) VALUES ('bob-shared', ${ana})`;
  const r = await call(app, "GET", "/api/auth/me", { token });
  assertEquals(r.status, 200);
  const user = (r.body as Me).user;
  assertEquals(user.username, "ana");
  assertEquals(user.instances, [
    { instance_name: "ana-first", created_at: "2026-01-01T10:00:00.500Z" },
    { instance_name: "ana-second", created_at: "2026-02-01T10:00:00.000Z" },
  ]);
});
