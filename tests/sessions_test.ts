// /api/sessions and /admin/sessions (contract §1.5) against the real gateway: revocation is effective on
// the very next request, the caller's own session is marked, and admin lists paginate with validation.
import { assert, assertEquals, assertFields } from "../lib/core/testing.ts";
import {
  adminLogin,
  assertError,
  badQuerySteps,
  call,
  createUser,
  login,
  USER_PASSWORD,
} from "./_helpers/accounts.ts";
import { startTestApp } from "./_helpers/app.ts";

Deno.test("GET/DELETE /api/sessions: own sessions only, current marked, revocation at once", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  const second = await login(t, "alice", USER_PASSWORD);
  const bob = await createUser(t, admin, { username: "bob" });
  const bobSession = (await call(t, "GET", "/api/sessions", { token: bob.token })).body.sessions[0].id;

  await s.step("lists the caller's live sessions with `current` on the one in use", async () => {
    const res = await call(t, "GET", "/api/sessions", {
      token: second,
      headers: { "user-agent": "SessionsTest/1.0" },
    });
    assertEquals(res.status, 200);
    assertEquals(res.body.sessions.length, 2);
    assertEquals(res.body.sessions.filter((x: { current: boolean }) => x.current).length, 1);
    const s0 = res.body.sessions[0];
    assertFields(s0, "created_at current expires_at id ip_address is_active last_active user_agent");
    assert(!res.body.sessions.some((x: { id: number }) => x.id === bobSession));
  });

  await s.step("revoking another of my sessions: 200, audited, that token is refused at once", async () => {
    const mine = (await call(t, "GET", "/api/sessions", { token: second })).body.sessions;
    const other = mine.find((x: { current: boolean }) => !x.current).id;
    const res = await call(t, "DELETE", `/api/sessions/${other}`, { token: second });
    assertEquals(res.status, 200);
    assertEquals(res.body, { revoked: { id: other } });
    assertError(
      await call(t, "GET", "/api/sessions", { token: alice.token }),
      401,
      "Invalid or expired session token",
    );
    assertEquals((await call(t, "GET", "/api/sessions", { token: second })).status, 200);
    const [row] = await t.deps.sql`
      SELECT username, resource_type, resource_id FROM taguato.audit_log WHERE action = 'session_revoked'`;
    assertEquals(row, { username: "alice", resource_type: "session", resource_id: String(other) });
  });

  await s.step('404 "Session not found" for another tenant\'s session or a bad id', async () => {
    assertError(
      await call(t, "DELETE", `/api/sessions/${bobSession}`, { token: second }),
      404,
      "Session not found",
    );
    assertError(await call(t, "DELETE", "/api/sessions/abc", { token: second }), 404, "Session not found");
    assertEquals((await call(t, "GET", "/api/sessions", { token: bob.token })).status, 200);
  });

  await s.step("an API key may list but not revoke sessions", async () => {
    const created = await call(t, "POST", "/api/keys", {
      token: second,
      body: { name: "ci", password: USER_PASSWORD },
    });
    const key = created.body.api_key.key;
    const list = await call(t, "GET", "/api/sessions", { token: key });
    assertEquals(list.status, 200);
    assert(list.body.sessions.every((x: { current: boolean }) => !x.current));
    const id = list.body.sessions[0].id;
    assertError(
      await call(t, "DELETE", `/api/sessions/${id}`, { token: key }),
      403,
      "This endpoint requires a login session",
    );
  });

  await s.step("revoking my current session signs me out", async () => {
    const current = (await call(t, "GET", "/api/sessions", { token: second })).body.sessions
      .find((x: { current: boolean }) => x.current).id;
    assertEquals((await call(t, "DELETE", `/api/sessions/${current}`, { token: second })).status, 200);
    assertEquals((await call(t, "GET", "/api/sessions", { token: second })).status, 401);
  });

  await s.step("401 without a credential", async () => {
    assertError(await call(t, "GET", "/api/sessions"), 401, "Missing apikey header");
  });
});

Deno.test("GET/DELETE /admin/sessions: every live session, paginated; any one revoked at once", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const alice = await createUser(t, admin, { username: "alice" });
  await login(t, "alice", USER_PASSWORD);

  await s.step("paginated list with usernames, most recent first", async () => {
    const res = await call(t, "GET", "/admin/sessions?limit=2", { token: admin });
    assertEquals(res.status, 200);
    assertEquals([res.body.total, res.body.page, res.body.limit, res.body.pages], [3, 1, 2, 2]);
    assertEquals(res.body.sessions.length, 2);
    const all = (await call(t, "GET", "/admin/sessions", { token: admin })).body.sessions;
    assertEquals(all.filter((x: { username: string }) => x.username === "alice").length, 2);
    assertEquals(
      all.filter((x: { current: boolean }) => x.current).map((x: { username: string }) => x.username),
      [
        t.admin.username,
      ],
    );
    const onlyAlice = await call(t, "GET", `/admin/sessions?user_id=${alice.id}`, { token: admin });
    assertEquals(onlyAlice.body.total, 2);
  });

  await badQuerySteps(s, t, admin, "/admin/sessions", [
    ["page=0", "page must be a positive integer"],
    ["limit=abc", "limit must be a positive integer"],
    ["user_id=me", "user_id must be a number"],
  ]);

  await s.step("403 for a non-admin", async () => {
    assertError(
      await call(t, "GET", "/admin/sessions", { token: alice.token }),
      403,
      "Admin access required",
    );
    assertError(
      await call(t, "DELETE", "/admin/sessions/1", { token: alice.token }),
      403,
      "Admin access required",
    );
  });

  await s.step("DELETE revokes any session at once and audits it; unknown ids are 404", async () => {
    const id = (await call(t, "GET", "/api/sessions", { token: alice.token })).body.sessions
      .find((x: { current: boolean }) => x.current).id;
    const res = await call(t, "DELETE", `/admin/sessions/${id}`, { token: admin });
    assertEquals(res.body, { revoked: { id, user_id: alice.id } });
    assertError(
      await call(t, "GET", "/api/sessions", { token: alice.token }),
      401,
      "Invalid or expired session token",
    );
    const [row] = await t.deps.sql`
      SELECT username, resource_id, details FROM taguato.audit_log WHERE action = 'session_revoked'`;
    assertEquals(row, {
      username: t.admin.username,
      resource_id: String(id),
      details: { owner_id: alice.id, owner_username: "alice" },
    });
    assertError(
      await call(t, "DELETE", "/admin/sessions/999999", { token: admin }),
      404,
      "Session not found",
    );
  });
});
