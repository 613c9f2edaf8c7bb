// /api/keys against the real gateway: keys are shown once, stored hashed, usable as `apikey`, limited to
// the owner's instances, capped at 25 active, revocable by their owner only and refused at once after.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { sha256Hex } from "../lib/core/mod.ts";
import { adminLogin, assertError, call, createUsers, USER_PASSWORD } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";
import { createApiKey } from "../lib/accounts/mod.ts";

Deno.test("/api/keys creates, lists and revokes a user's keys, which authenticate as their owner and never show again", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const [alice, bob] = await createUsers(t, admin, "alice", "bob");
  await t.deps.sql`
    INSERT INTO taguato.user_instances (user_id, instance_name)
    VALUES (${alice.id}, 'alice-sales'), (${bob.id}, 'bob-support'), (${bob.id}, 'bob-shared')`;
  await t.deps.sql`
    INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id) VALUES ('bob-shared', ${alice.id})`;
  // Creating a key re-asks the password; every user here has the default one.
  const create = (body: unknown, token = alice.token) =>
    call(t, "POST", "/api/keys", {
      token,
      body: typeof body === "object" && body !== null && !Array.isArray(body)
        ? { password: USER_PASSWORD, ...body }
        : body,
    });
  let key = "";
  let keyId = 0;

  await s.step(
    "201 shows the key once; only its SHA-256 is stored; audit has name and prefix only",
    async () => {
      const res = await create({
        name: "CRM",
        scope: "send",
        instance_names: ["alice-sales", "bob-shared"],
        expires_at: "2099-01-01T00:00:00Z",
      });
      assertEquals(res.status, 201);
      const k = res.body.api_key;
      assert(/^tg_[0-9a-f]{64}$/.test(k.key), k.key);
      assertEquals([k.name, k.scope, k.key_prefix, k.status], [
        "CRM",
        "send",
        k.key.slice(0, 10),
        "active",
      ]);
      assertEquals(k.instance_names, ["alice-sales", "bob-shared"]);
      assertEquals(k.expires_at, "2099-01-01T00:00:00.000Z");
      key = k.key;
      keyId = k.id;
      const [row] = await t.deps.sql`SELECT key_hash FROM taguato.api_keys WHERE id = ${keyId}`;
      assertEquals(row.key_hash, await sha256Hex(key));
      const [audit] = await t.deps.sql`
      SELECT resource_type, resource_id, details FROM taguato.audit_log WHERE action = 'api_key_created'`;
      assertEquals(audit, {
        resource_type: "api_key",
        resource_id: String(keyId),
        details: { name: "CRM", prefix: key.slice(0, 10), scope: "send" },
      });
    },
  );

  await s.step("the key authenticates as its owner; GET never shows the key", async () => {
    const res = await call(t, "GET", "/api/keys", { token: key });
    assertEquals(res.status, 200);
    assertEquals(res.body.api_keys.length, 1);
    assert(!JSON.stringify(res.body).includes(key));
    assert(res.body.api_keys[0].last_used_at !== null);
    assertEquals((await call(t, "GET", "/api/keys", { token: bob.token })).body.api_keys, []);
  });

  await s.step("creating or revoking with an API key is refused (403)", async () => {
    assertError(await create({ name: "x" }, key), 403, "This endpoint requires a login session");
    assertError(
      await call(t, "DELETE", `/api/keys/${keyId}`, { token: key }),
      403,
      "This endpoint requires a login session",
    );
  });

  const bad: [string, unknown, string][] = [
    ["no name", {}, "name is required"],
    ["blank name", { name: "   " }, "name is required"],
    ["long name", { name: "n".repeat(101) }, "name must be at most 100 characters"],
    ["bad scope", { name: "k", scope: "admin" }, "scope must be one of: full, read, send"],
    [
      "empty instance list",
      { name: "k", instance_names: [] },
      "instance_names must be a non-empty array of instance names (or null)",
    ],
    [
      "non-string instance",
      { name: "k", instance_names: [5] },
      "instance_names must be a non-empty array of instance names (or null)",
    ],
    [
      "garbage expiry",
      { name: "k", expires_at: "tomorrow" },
      "expires_at must be an ISO 8601 date-time with a time zone",
    ],
    ["past expiry", { name: "k", expires_at: "2001-01-01T00:00:00Z" }, "expires_at must be in the future"],
  ];
  for (const [what, body, message] of bad) {
    await s.step(`400 "${message}" for ${what}`, async () => {
      assertError(await create(body), 400, message);
    });
  }

  await s.step('403 "You do not own this instance: <name>" for another tenant\'s instance', async () => {
    assertError(
      await create({ name: "k", instance_names: ["alice-sales", "bob-support"] }),
      403,
      "You do not own this instance: bob-support",
      "key_instance_denied",
    );
    assertError(
      await create({ name: "k", instance_names: ["ghost"] }),
      403,
      "You do not own this instance: ghost",
      "key_instance_denied",
    );
    const [{ n }] = await t.deps.sql`SELECT count(*)::int AS n FROM taguato.api_keys`;
    assertEquals(n, 1);
  });

  await s.step("at most 25 active keys per user", async () => {
    for (let i = 2; i <= 25; i++) assertEquals((await create({ name: `k${i}` })).status, 201);
    assertError(
      await create({ name: "k26" }),
      400,
      "API key limit reached (25 active keys)",
      "key_limit_reached",
    );
  });

  await s.step('DELETE: another tenant\'s key is 404 "API key not found"', async () => {
    assertError(
      await call(t, "DELETE", `/api/keys/${keyId}`, { token: bob.token }),
      404,
      "API key not found",
    );
    assertError(
      await call(t, "DELETE", "/api/keys/nope", { token: alice.token }),
      404,
      "API key not found",
    );
    assertEquals((await call(t, "GET", "/api/keys", { token: key })).status, 200);
  });

  await s.step("DELETE by the owner: 200, audited, the key is refused on its next request", async () => {
    const res = await call(t, "DELETE", `/api/keys/${keyId}`, { token: alice.token });
    assertEquals(res.body, { revoked: { id: keyId } });
    assertError(await call(t, "GET", "/api/keys", { token: key }), 401, "Invalid or expired session token");
    const [audit] = await t.deps
      .sql`SELECT details FROM taguato.audit_log WHERE action = 'api_key_revoked'`;
    assertEquals(audit.details, { name: "CRM", prefix: key.slice(0, 10) });
    const listed = (await call(t, "GET", "/api/keys", { token: alice.token })).body.api_keys;
    assertEquals(listed.find((k: { id: number }) => k.id === keyId).status, "revoked");
    assertEquals((await create({ name: "after revoke" })).status, 201);
  });

  await s.step("401 without a credential", async () => {
    assertError(await call(t, "GET", "/api/keys"), 401, "Missing apikey header");
  });
});

Deno.test("a password change, a reset or an admin-set password revokes the user's API keys at once", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const [alice] = await createUsers(t, admin, "alice");
  const mint = async () => {
    const key = (await createApiKey(t.deps.sql, {
      userId: alice.id,
      name: `k${Math.random()}`,
      scope: "full",
      instanceNames: null,
      expiresAt: null,
      now: new Date(t.deps.clock.now()),
    }))!.key;
    // Used once first, so the credential sits in the cache: revocation must beat the cached entry.
    assertEquals((await call(t, "GET", "/api/keys", { token: key })).status, 200);
    return key;
  };
  const refused = async (key: string) =>
    assertError(await call(t, "GET", "/api/keys", { token: key }), 401, "Invalid or expired session token");
  let password = alice.password;

  await s.step("POST /api/auth/change-password", async () => {
    const key = await mint();
    const res = await call(t, "POST", "/api/auth/change-password", {
      token: alice.token,
      body: { current_password: password, new_password: "Chang3dPass" },
    });
    assertEquals(res.status, 200);
    password = "Chang3dPass";
    await refused(key);
  });

  await s.step("POST /api/auth/reset-password", async () => {
    const key = await mint();
    const token = "ab".repeat(32);
    await t.deps.sql`
      INSERT INTO taguato.password_resets (user_id, code_hash, reset_token_hash)
      VALUES (${alice.id}, 'x', ${await sha256Hex(token)})`;
    const res = await call(t, "POST", "/api/auth/reset-password", {
      body: { reset_token: token, new_password: "R3setPassword" },
    });
    assertEquals(res.status, 200, JSON.stringify(res.body));
    await refused(key);
  });

  await s.step("PUT /admin/users/{id} with a password", async () => {
    const key = await mint();
    assertEquals(
      (await call(t, "PUT", `/admin/users/${alice.id}`, { token: admin, body: { password: "Adm1nSetPass" } }))
        .status,
      200,
    );
    await refused(key);
  });
});

Deno.test("POST /api/keys re-asks the password: missing is 400, wrong is 401, and no key is made", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const [alice] = await createUsers(t, admin, "alice");
  const create = (body: Record<string, unknown>) =>
    call(t, "POST", "/api/keys", { token: alice.token, body });
  assertError(await create({ name: "k" }), 400, "Password is required");
  assertError(await create({ name: "k", password: "" }), 400, "Password is required");
  assertError(await create({ name: "k", password: "Wrong-pass1" }), 401, "Current password is incorrect");
  assertError(await create({ name: "k", password: "x".repeat(300) }), 401, "Current password is incorrect");
  assertEquals((await t.deps.sql`SELECT 1 FROM taguato.api_keys`).length, 0);
  assertEquals((await create({ name: "k", password: alice.password })).status, 201);
});
