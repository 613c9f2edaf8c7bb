// GET /admin/audit and /admin/audit/{id} against the real gateway: filters, validated dates and pages,
// newest first, admin only.
import { assertEquals } from "../lib/core/testing.ts";
import { adminLogin, assertError, badQuerySteps, call, createUser } from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";

Deno.test("GET /admin/audit filters, paginates and validates its query", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  // A known history, older than anything the requests above wrote.
  await t.deps.sql`
    INSERT INTO taguato.audit_log (user_id, username, action, resource_type, resource_id, details, created_at)
    VALUES (${alice.id}, 'alice', 'incident_created', 'incident', '7', '{"title":"Down"}', '2026-03-01T10:00:00Z'),
           (${alice.id}, 'alice', 'incident_deleted', 'incident', '7', '{"title":"Down"}', '2026-03-02T23:30:00Z'),
           (NULL, 'ghost', 'user_deleted', 'user', '99', '{"username":"ghost"}', '2026-03-05T08:00:00Z')`;
  const get = (query = "", token = admin) => call(t, "GET", `/admin/audit${query}`, { token });

  await s.step("newest first, with the contract's fields and pagination", async () => {
    const res = await get("?limit=2");
    assertEquals(res.status, 200);
    assertEquals([res.body.page, res.body.limit], [1, 2]);
    assertEquals(res.body.pages, Math.ceil(res.body.total / 2));
    const all = (await get()).body.logs;
    const times = all.map((l: { created_at: string }) => Date.parse(l.created_at));
    assertEquals(times, [...times].sort((a, b) => b - a));
    assertEquals(all.at(-1).action, "incident_created");
    assertEquals(Object.keys(all[0]).sort(), [
      "action",
      "created_at",
      "details",
      "id",
      "ip_address",
      "resource_id",
      "resource_type",
      "user_id",
      "username",
    ]);
  });

  await s.step("exact filters combine: action, username, user_id, resource_type, resource_id", async () => {
    const actions = (q: string) => get(q).then((r) => r.body.logs.map((l: { action: string }) => l.action));
    assertEquals(await actions("?action=user_deleted"), ["user_deleted"]);
    assertEquals(await actions("?username=alice&resource_type=incident"), [
      "incident_deleted",
      "incident_created",
    ]);
    assertEquals(await actions(`?user_id=${alice.id}&action=incident_created`), ["incident_created"]);
    assertEquals(await actions("?resource_type=user&resource_id=99"), ["user_deleted"]);
    assertEquals((await get("?username=ali")).body.total, 0);
    const created = await get("?action=user_created");
    assertEquals(created.body.logs[0].details, { username: "alice", role: "user" });
  });

  await s.step("date_from/date_to bound created_at; a bare date_to covers its whole day", async () => {
    const actions = (q: string) => get(q).then((r) => r.body.logs.map((l: { action: string }) => l.action));
    assertEquals(await actions("?date_from=2026-03-01&date_to=2026-03-02"), [
      "incident_deleted",
      "incident_created",
    ]);
    assertEquals(await actions("?date_from=2026-03-02T00:00:00Z&date_to=2026-03-04"), ["incident_deleted"]);
    assertEquals(await actions("?date_to=2026-03-01T10:00:00"), ["incident_created"]);
    assertEquals(await actions("?date_from=2026-03-05T09:00:00%2B01:00&date_to=2026-03-06"), [
      "user_deleted",
    ]);
  });

  await badQuerySteps(s, t, admin, "/admin/audit", [
    ["date_from=yesterday", "date_from must be an ISO 8601 date or date-time"],
    ["date_from=2026-02-30", "date_from must be an ISO 8601 date or date-time"],
    ["date_to=2026-13-01", "date_to must be an ISO 8601 date or date-time"],
    ["date_to=1%27%20OR%201=1", "date_to must be an ISO 8601 date or date-time"],
    ["date_from=2026-03-05&date_to=2026-03-01", "date_from must not be after date_to"],
    ["user_id=alice", "user_id must be a number"],
    ["page=0", "page must be a positive integer"],
    ["limit=-1", "limit must be a positive integer"],
  ]);

  await s.step("403 for a non-admin; other methods are 405 for admins", async () => {
    assertError(await get("", alice.token), 403, "Admin access required");
    assertError(
      await call(t, "POST", "/admin/audit", { token: admin, body: {} }),
      405,
      "Method not allowed",
    );
    assertError(
      await call(t, "DELETE", "/admin/audit", { token: alice.token }),
      403,
      "Admin access required",
    );
  });
});

Deno.test("GET /admin/audit/{id} returns one entry; unknown ids are 404", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  const [{ id }] = await t.deps.sql`
    SELECT id FROM taguato.audit_log WHERE action = 'user_created' ORDER BY id DESC LIMIT 1`;
  const res = await call(t, "GET", `/admin/audit/${id}`, { token: admin });
  assertEquals(res.status, 200);
  assertEquals([res.body.log.id, res.body.log.action, res.body.log.username], [
    id,
    "user_created",
    t.admin.username,
  ]);
  assertEquals(res.body.log.details, { username: "alice", role: "user" });
  assertError(await call(t, "GET", "/admin/audit/999999", { token: admin }), 404, "Audit entry not found");
  assertError(await call(t, "GET", "/admin/audit/x", { token: admin }), 404, "Audit entry not found");
  assertError(
    await call(t, "GET", `/admin/audit/${id}`, { token: alice.token }),
    403,
    "Admin access required",
  );
});
