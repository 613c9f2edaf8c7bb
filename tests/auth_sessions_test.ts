// Sessions through the shared credential layer: sliding expiry on every request, revocation and
// deactivation visible on the next request (warm cache included), and on a second replica at once.
import { errorBody } from "./_helpers/errors.ts";
import { createApp } from "../app.ts";
import { startTestApp, TEST_REDIS_URL } from "./_helpers/app.ts";
import { needs } from "./_helpers/services.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { createRedisCache, ManualClock } from "../lib/core/mod.ts";
import { invalidateUser, revokeSession, revokeUserSessions } from "../lib/auth/mod.ts";

const PW = "Passw0rd!";
const HOUR = 3_600_000;

Deno.test("sessions slide 24 h on every authenticated request, writing the DB at most once a minute", async () => {
  const clock = new ManualClock(Date.now());
  await using app = await startTestApp({ clock, cache: "memory" });
  const id = await createUser(app, "ana", PW);
  const token = await login(app, "ana", PW);
  const t0 = clock.now();
  const row = async () => {
    const [s] = await app.db
      .sql`SELECT last_active, expires_at FROM taguato.sessions WHERE user_id = ${id}`;
    return { last: s.last_active.getTime() - t0, exp: s.expires_at.getTime() - t0 };
  };
  const get = async (path: string) => (await call(app, "GET", path, { token })).status;
  assertEquals(await row(), { last: 0, exp: 24 * HOUR });

  clock.advance(10_000);
  assertEquals(await get("/api/auth/me"), 200);
  assertEquals(await row(), { last: 0, exp: 24 * HOUR }, "no DB write within the minute");

  clock.advance(60_000);
  assertEquals(await get("/api/auth/2fa/setup"), 200, "any authenticated route slides, not only /me");
  assertEquals(await row(), { last: 70_000, exp: 70_000 + 24 * HOUR });

  clock.advance(23 * HOUR);
  assertEquals(await get("/api/auth/me"), 200);
  clock.advance(23 * HOUR);
  assertEquals(await get("/api/auth/me"), 200, "46 h after login, still alive because it was used");

  clock.advance(24 * HOUR + 1_000);
  const r = await call(app, "GET", "/api/auth/me", { token });
  assertEquals([r.status, r.body], [401, errorBody("Invalid or expired session token")]);
});

Deno.test("revocation and deactivation apply on the next request, even with a warm cache", async (t) => {
  await using app = await startTestApp();
  const id = await createUser(app, "ana", PW);
  const me = async (token: string) => {
    const r = await call(app, "GET", "/api/auth/me", { token });
    return [r.status, r.body.error];
  };

  await t.step("revokeSession", async () => {
    const token = await login(app, "ana", PW);
    assertEquals(await me(token), [200, undefined]);
    const [s] = await app.db
      .sql`SELECT id FROM taguato.sessions WHERE user_id = ${id} ORDER BY id DESC LIMIT 1`;
    assertEquals(await revokeSession(app.deps, s.id, { userId: id + 1 }), false, "someone else's session");
    assertEquals(await me(token), [200, undefined]);
    assertEquals(await revokeSession(app.deps, s.id, { userId: id }), true);
    assertEquals(await me(token), [401, "Invalid or expired session token"]);
  });

  await t.step("revokeUserSessions keeps the excepted session", async () => {
    const keep = await login(app, "ana", PW);
    const drop = await login(app, "ana", PW);
    await me(keep);
    await me(drop);
    const [s] = await app.db
      .sql`SELECT id FROM taguato.sessions WHERE user_id = ${id} ORDER BY id DESC LIMIT 1
      OFFSET 1`;
    assertEquals(await revokeUserSessions(app.deps, id, { exceptSessionId: s.id }), 1);
    assertEquals([(await me(keep))[0], (await me(drop))[0]], [200, 401]);
  });

  await t.step("deactivating a user answers 403 at once; reactivating restores it", async () => {
    const token = await login(app, "ana", PW);
    assertEquals(await me(token), [200, undefined]);
    await app.db.sql`UPDATE taguato.users SET is_active = false WHERE id = ${id}`;
    await invalidateUser(app.deps, id);
    assertEquals(await me(token), [403, "Account is disabled"]);
    await app.db.sql`UPDATE taguato.users SET is_active = true WHERE id = ${id}`;
    await invalidateUser(app.deps, id);
    assertEquals(await me(token), [200, undefined]);
  });

  await t.step("a deleted user's token stops working", async () => {
    const other = await createUser(app, "tmp", PW);
    const token = await login(app, "tmp", PW);
    assertEquals(await me(token), [200, undefined]);
    await app.db.sql`DELETE FROM taguato.users WHERE id = ${other}`;
    await invalidateUser(app.deps, other);
    assertEquals((await me(token))[0], 401);
  });
});

const onRedis = needs("redis");
onRedis.test("a second replica on the same DB and Redis sees logout and deactivation at once", async () => {
  const app = await startTestApp();
  const cache2 = await createRedisCache(TEST_REDIS_URL, app.cachePrefix);
  const replica = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    createApp({ ...app.deps, cache: cache2 }).fetch,
  );
  const b = `http://127.0.0.1:${replica.addr.port}`;
  try {
    const id = await createUser(app, "ana", PW);
    const status = async (base: string, token: string) =>
      (await call(app, "GET", "/api/auth/me", { token, base })).status;

    const token = await login(app, "ana", PW);
    assertEquals([await status(app.url, token), await status(b, token)], [200, 200]);
    assertEquals((await call(app, "POST", "/api/auth/logout", { token })).status, 200);
    assertEquals(await status(b, token), 401);

    const other = await login(app, "ana", PW);
    assertEquals([await status(app.url, other), await status(b, other)], [200, 200]);
    await app.db.sql`UPDATE taguato.users SET is_active = false WHERE id = ${id}`;
    await invalidateUser(app.deps, id);
    assertEquals(await status(b, other), 403);
    assertEquals(await status(app.url, other), 403);
  } finally {
    await replica.shutdown();
    await cache2.close();
    await app.close();
  }
});
