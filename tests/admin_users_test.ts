// /admin/users* against the real gateway (PostgreSQL, Redis, sandbox engine): contract §1.4 with its
// flagged bugs fixed (JSON null, validation, 409 messages, audit without secrets, session revocation).
import { assert, assertEquals, assertFields } from "../lib/core/testing.ts";
import { adminLogin, assertError, badQuerySteps, call, createUser, login } from "./_helpers/accounts.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { createApiKey } from "../lib/accounts/mod.ts";

const userCount = async (t: TestApp) => (await t.deps.sql`SELECT count(*)::int AS n FROM taguato.users`)[0].n;
const lastAudit = async (t: TestApp, action: string) =>
  (await t.deps.sql`
    SELECT user_id, username, resource_type, resource_id, details FROM taguato.audit_log
    WHERE action = ${action} ORDER BY id DESC LIMIT 1`)[0];

Deno.test("POST /admin/users creates users and rejects every bad field with its message", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });

  await s.step("201 with the public fields, must_change_password true, audited", async () => {
    const res = await call(t, "POST", "/admin/users", {
      token: admin,
      body: {
        username: "bob_1",
        password: "Secret123",
        role: "user",
        max_instances: 0,
        email: "Bob@Example.com",
        phone_number: "595 981 000 111",
        rate_limit: 30,
      },
    });
    assertEquals(res.status, 201);
    const u = res.body.user;
    assertEquals(
      [u.username, u.role, u.max_instances, u.is_active, u.must_change_password, u.rate_limit, u.email],
      ["bob_1", "user", 0, true, true, 30, "Bob@Example.com"],
    );
    assertEquals(u.phone_number, "595981000111");
    assert(!("password_hash" in u) && !("password" in u));
    const row = await lastAudit(t, "user_created");
    assertEquals(row.details, { username: "bob_1", role: "user" });
    assertEquals(row.resource_id, String(u.id));
    await login(t, "bob_1", "Secret123");
  });

  await s.step("defaults: role user, max_instances 1, active, empty e-mail stored as null", async () => {
    const res = await call(t, "POST", "/admin/users", {
      token: admin,
      body: { username: "carol", password: "Secret123", email: "", phone_number: "", rate_limit: null },
    });
    assertEquals(res.status, 201);
    const u = res.body.user;
    assertEquals([u.role, u.max_instances, u.is_active, u.email, u.phone_number, u.rate_limit], [
      "user",
      1,
      true,
      null,
      null,
      null,
    ]);
  });

  const dave = { username: "dave", password: "Secret123" };
  const bad: [string, string | Record<string, unknown>, string][] = [
    ["unparseable body", "{nope", "Invalid JSON body"],
    ["no password", { username: "dave" }, "username and password are required"],
    ["no username", { password: "Secret123" }, "username and password are required"],
    ["short username", { ...dave, username: "ab" }, "Username must be between 3 and 50 characters"],
    ["long username", { ...dave, username: "a".repeat(51) }, "Username must be between 3 and 50 characters"],
    [
      "username with a dash",
      { ...dave, username: "da-ve" },
      "Username must contain only letters, numbers and underscores",
    ],
    ["username not a string", { ...dave, username: 42 }, "Username is required"],
    ["short password", { ...dave, password: "Ab1" }, "Password must be at least 8 characters"],
    [
      "no uppercase",
      { ...dave, password: "secret123" },
      "Password must contain at least one uppercase letter",
    ],
    ["no digit", { ...dave, password: "SecretPass" }, "Password must contain at least one number"],
    ["bad role", { ...dave, role: "root" }, "role must be 'user' or 'admin'"],
    [
      "negative max_instances",
      { ...dave, max_instances: -1 },
      "max_instances must be a non-negative integer",
    ],
    [
      "fractional max_instances",
      { ...dave, max_instances: 1.5 },
      "max_instances must be a non-negative integer",
    ],
    ["string max_instances", { ...dave, max_instances: "3" }, "max_instances must be a non-negative integer"],
    ["bad e-mail", { ...dave, email: "dave@" }, "Invalid email format"],
    ["long e-mail", { ...dave, email: `${"d".repeat(251)}@x.io` }, "Email must be at most 255 characters"],
    [
      "phone with letters",
      { ...dave, phone_number: "59598x000111" },
      "Phone number must contain only digits",
    ],
    ["short phone", { ...dave, phone_number: "1234567" }, "Phone number must be between 8 and 20 digits"],
    ["negative rate_limit", { ...dave, rate_limit: -5 }, "rate_limit must be a non-negative integer or null"],
    ["string rate_limit", { ...dave, rate_limit: "10" }, "rate_limit must be a non-negative integer or null"],
    ["non-boolean is_active", { ...dave, is_active: "yes" }, "is_active must be a boolean"],
  ];
  for (const [what, body, message] of bad) {
    await s.step(`400 "${message}" for ${what}, and nothing is stored`, async () => {
      const before = await userCount(t);
      const res = await call(t, "POST", "/admin/users", {
        token: admin,
        ...(typeof body === "string" ? { raw: body } : { body }),
      });
      assertError(res, 400, message);
      assertEquals(await userCount(t), before);
    });
  }

  await s.step('409 "Username already exists" and "Email already in use" (case-insensitive)', async () => {
    const dupName = await call(t, "POST", "/admin/users", {
      token: admin,
      body: { username: "alice", password: "Secret123" },
    });
    assertError(dupName, 409, "Username already exists");
    const dupMail = await call(t, "POST", "/admin/users", {
      token: admin,
      body: { username: "erin", password: "Secret123", email: "bob@EXAMPLE.com" },
    });
    assertError(dupMail, 409, "Email already in use");
  });

  await s.step("403 for a non-admin, 401 without a credential", async () => {
    const body = { username: "mallory", password: "Secret123", role: "admin" };
    assertError(
      await call(t, "POST", "/admin/users", { token: alice.token, body }),
      403,
      "Admin access required",
    );
    assertError(await call(t, "POST", "/admin/users", { body }), 401, "Missing apikey header");
    assertError(
      await call(t, "POST", "/admin/users", { token: "f".repeat(64), body }),
      401,
      "Invalid or expired session token",
    );
  });
});

Deno.test("GET /admin/users paginates with validated page/limit and a literal search", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  for (const username of ["ab_cd", "abxcd", "zed"]) await createUser(t, admin, { username });

  await s.step("a page of users ordered by id with total/page/limit/pages", async () => {
    const res = await call(t, "GET", "/admin/users?page=2&limit=2", { token: admin });
    assertEquals(res.status, 200);
    assertEquals([res.body.total, res.body.page, res.body.limit, res.body.pages], [5, 2, 2, 3]);
    assertEquals(res.body.users.map((u: { username: string }) => u.username), ["ab_cd", "abxcd"]);
    const u = res.body.users[0];
    assertFields(
      u,
      "created_at email id is_active max_instances must_change_password phone_number rate_limit role totp_enabled updated_at username",
    );
  });

  await s.step("limit above 100 is clamped; defaults are page 1, limit 50", async () => {
    assertEquals((await call(t, "GET", "/admin/users?limit=500", { token: admin })).body.limit, 100);
    const res = await call(t, "GET", "/admin/users", { token: admin });
    assertEquals([res.body.page, res.body.limit, res.body.users.length], [1, 50, 5]);
  });

  await badQuerySteps(s, t, admin, "/admin/users", [
    ["page=0", "page must be a positive integer"],
    ["page=-1", "page must be a positive integer"],
    ["page=abc", "page must be a positive integer"],
    ["limit=0", "limit must be a positive integer"],
    ["limit=-5", "limit must be a positive integer"],
    ["limit=2.5", "limit must be a positive integer"],
  ]);

  await s.step("search treats _ and % literally and ignores case", async () => {
    const under = await call(t, "GET", "/admin/users?search=B_C", { token: admin });
    assertEquals(under.body.users.map((u: { username: string }) => u.username), ["ab_cd"]);
    assertEquals((await call(t, "GET", "/admin/users?search=%25", { token: admin })).body.total, 0);
  });

  await s.step("403 for a non-admin", async () => {
    assertError(await call(t, "GET", "/admin/users", { token: alice.token }), 403, "Admin access required");
  });
});

Deno.test("GET /admin/users/{id} shows the owned instances; unknown ids are 404", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  await t.deps
    .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice.id}, 'alice-1')`;
  const res = await call(t, "GET", `/admin/users/${alice.id}`, { token: admin });
  assertEquals(res.status, 200);
  assertEquals(res.body.user.username, "alice");
  assertEquals(res.body.user.instances.map((i: { instance_name: string }) => i.instance_name), ["alice-1"]);
  assertError(await call(t, "GET", "/admin/users/999999", { token: admin }), 404, "User not found");
  assertError(await call(t, "GET", "/admin/users/abc", { token: admin }), 404, "User not found");
  assertError(
    await call(t, "GET", `/admin/users/${alice.id}`, { token: alice.token }),
    403,
    "Admin access required",
  );
});

Deno.test("admin routes take a login session or an unrestricted full admin key only", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const [{ id: adminId }] = await t.deps
    .sql`SELECT id FROM taguato.users WHERE username = ${t.admin.username}`;
  const keyOf = async (scope: "full" | "read" | "send", instanceNames: string[] | null) =>
    (await createApiKey(t.deps.sql, {
      userId: adminId,
      name: `${scope}-${instanceNames?.length ?? "all"}`,
      scope,
      instanceNames,
      expiresAt: null,
      now: new Date(t.deps.clock.now()),
    }))!.key;
  const restricted: [string, string][] = [
    ["a full key limited to one instance", await keyOf("full", ["one"])],
    ["a read key", await keyOf("read", null)],
    ["a send key", await keyOf("send", null)],
  ];
  for (const [what, key] of restricted) {
    await s.step(`403 for ${what}, on reads and on creating an admin`, async () => {
      const body = { username: "sneaky", password: "Secret123", role: "admin" };
      const created = await call(t, "POST", "/admin/users", { token: key, body });
      assertError(created, 403, "Admin routes need a login session or an unrestricted full-scope API key");
      assertError(
        await call(t, "GET", "/admin/users", { token: key }),
        403,
        "Admin routes need a login session or an unrestricted full-scope API key",
      );
    });
  }
  assertEquals((await t.deps.sql`SELECT 1 FROM taguato.users WHERE username = 'sneaky'`).length, 0);
  await s.step("an unrestricted full key and a session pass", async () => {
    const full = await keyOf("full", null);
    assertEquals((await call(t, "GET", "/admin/users", { token: full })).status, 200);
    assertEquals((await call(t, "GET", "/admin/users", { token: admin })).status, 200);
  });
});
