// /admin/instances and instance grants (contract §1.4) against the real gateway.
import { assertEquals } from "../lib/core/testing.ts";
import { adminLogin, assertError, call, createUsers } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";

Deno.test("admin instance grants: list, grant, revoke, with every error of the contract", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const [alice, bob] = await createUsers(t, admin, "alice", "bob");
  await t.deps.sql`
    INSERT INTO taguato.user_instances (user_id, instance_name, created_at)
    VALUES (${alice.id}, 'alice-sales', now() - interval '1 minute'), (${bob.id}, 'bob-support', now())`;
  const grant = (name: string, body: unknown, token = admin) =>
    call(t, "POST", `/admin/instances/${name}/grant`, { token, body });

  await s.step("POST grant: 201, audited, listed under the instance", async () => {
    const res = await grant("alice-sales", { user_id: String(bob.id) });
    assertEquals(res.status, 201);
    assertEquals(res.body, { message: "Access granted", instance: "alice-sales", user_id: bob.id });
    const [row] = await t.deps.sql`
      SELECT resource_type, resource_id, details FROM taguato.audit_log WHERE action = 'instance_grant_created'`;
    assertEquals(row, {
      resource_type: "instance",
      resource_id: "alice-sales",
      details: { grantee_user_id: bob.id },
    });
    const list = await call(t, "GET", "/admin/instances", { token: admin });
    assertEquals(list.status, 200);
    assertEquals(list.body.instances.map((i: { instance_name: string }) => i.instance_name), [
      "bob-support",
      "alice-sales",
    ]);
    const sales = list.body.instances[1];
    assertEquals([sales.owner_id, sales.owner_username, sales.channel_type], [
      alice.id,
      "alice",
      "whatsapp",
    ]);
    assertEquals(sales.grants.map((g: { user_id: number; username: string }) => [g.user_id, g.username]), [[
      bob.id,
      "bob",
    ]]);
    assertEquals(list.body.instances[0].grants, []);
  });

  const bad: [string, string, unknown, number, string][] = [
    ["no user_id", "alice-sales", {}, 400, "user_id is required"],
    ["null user_id", "alice-sales", { user_id: null }, 400, "user_id is required"],
    ["non-numeric user_id", "alice-sales", { user_id: "bob" }, 400, "user_id must be a number"],
    ["fractional user_id", "alice-sales", { user_id: 1.5 }, 400, "user_id must be a number"],
    ["unknown instance", "nope", { user_id: 2 }, 404, "Instance not found"],
    ["user id 0", "alice-sales", { user_id: 0 }, 404, "Target user not found"],
    ["an unknown user", "alice-sales", { user_id: 999999 }, 404, "Target user not found"],
  ];
  for (const [what, name, body, status, message] of bad) {
    await s.step(`${status} "${message}" for ${what}`, async () => {
      assertError(await grant(name, body), status, message);
    });
  }

  await s.step('400 "User is already the instance owner", 409 for a second grant', async () => {
    assertError(
      await grant("alice-sales", { user_id: alice.id }),
      400,
      "User is already the instance owner",
    );
    assertError(
      await grant("alice-sales", { user_id: bob.id }),
      409,
      "User already has access to this instance",
    );
  });

  await s.step("403 for a non-admin on every route", async () => {
    assertError(
      await call(t, "GET", "/admin/instances", { token: alice.token }),
      403,
      "Admin access required",
    );
    assertError(await grant("alice-sales", { user_id: bob.id }, alice.token), 403, "Admin access required");
    assertError(
      await call(t, "DELETE", `/admin/instances/alice-sales/grant/${bob.id}`, { token: bob.token }),
      403,
      "Admin access required",
    );
  });

  await s.step('DELETE grant: 200 and audited, then 404 "Permission not found"', async () => {
    const path = `/admin/instances/alice-sales/grant/${bob.id}`;
    const res = await call(t, "DELETE", path, { token: admin });
    assertEquals(res.body, { message: "Access revoked", instance: "alice-sales", user_id: bob.id });
    const [{ n }] = await t.deps.sql`
      SELECT count(*)::int AS n FROM taguato.audit_log WHERE action = 'instance_grant_revoked'`;
    assertEquals(n, 1);
    assertError(await call(t, "DELETE", path, { token: admin }), 404, "Permission not found");
    assertError(
      await call(t, "DELETE", "/admin/instances/alice-sales/grant/abc", { token: admin }),
      404,
      "Permission not found",
    );
  });
});
