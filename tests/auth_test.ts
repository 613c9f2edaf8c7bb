// /api/auth login, me, change-password, logout and logout-all over HTTP (contract §1.3, DESIGN §5).
import { errorBody } from "./_helpers/errors.ts";
import { startTestApp } from "./_helpers/app.ts";
import { auditRows, call, createUser, login } from "./_helpers/auth_client.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { sha256Hex } from "../lib/core/mod.ts";

const PW = "Passw0rd!";
const ip = (n: number) => ({ "x-forwarded-for": `198.51.100.${n}` });

Deno.test("POST /api/auth/login answers a session token, one 401 for every failure, and locks accounts and addresses after repeated failures", async (t) => {
  await using app = await startTestApp();
  await createUser(app, "ana", PW);

  await t.step("the bootstrap admin logs in and must change its password", async () => {
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: app.admin.username, password: app.admin.password },
      headers: { "user-agent": "auth-test/1" },
    });
    assertEquals(r.status, 200);
    assert(/^[0-9a-f]{64}$/.test(r.body.token as string));
    assertEquals(r.body.user, {
      id: 1,
      username: "admin",
      role: "admin",
      max_instances: 1,
      must_change_password: true,
    });
    const [s] = await app.db.sql`SELECT token_hash, ip_address, user_agent, expires_at - created_at AS ttl
      FROM taguato.sessions WHERE user_id = 1`;
    assertEquals(s.token_hash, await sha256Hex(r.body.token as string));
    assertEquals([s.ip_address, s.user_agent], ["127.0.0.1", "auth-test/1"]);
    const [audit] = await auditRows(app, "user_login");
    assertEquals([audit.user_id, audit.username, audit.resource_type], [1, "admin", "session"]);
  });

  await t.step("bad input answers the contract's 400 messages", async () => {
    const bad: [unknown, string][] = [
      ["{not json", "Invalid JSON body"],
      ["", "Invalid JSON body"],
      [{}, "username and password are required"],
      [{ username: "ana" }, "username and password are required"],
      [{ password: PW }, "username and password are required"],
      [{ username: 5, password: PW }, "username and password are required"],
      [[], "username and password are required"],
    ];
    for (const [body, message] of bad) {
      const r = await call(app, "POST", "/api/auth/login", { body });
      assertEquals([r.status, r.body], [400, errorBody(message)], JSON.stringify(body));
    }
  });

  await t.step("wrong password, unknown user and inactive user all get the same 401", async () => {
    await createUser(app, "gone", PW, { is_active: false });
    for (const [username, password] of [["ana", "Wrong123!"], ["nobody", PW], ["gone", PW]]) {
      const r = await call(app, "POST", "/api/auth/login", {
        body: { username, password },
        headers: ip(1),
      });
      assertEquals([r.status, r.body], [401, errorBody("Invalid username or password")]);
    }
    const failed = await auditRows(app, "login_failed");
    // Unknown (and inactive) usernames are not written down: people paste passwords there.
    assertEquals(failed.map((a) => a.username), ["ana", null, null]);
    assertEquals(failed.map((a) => a.details), [
      { reason: "bad_password" },
      { reason: "unknown_or_inactive" },
      { reason: "unknown_or_inactive" },
    ]);
    await app.db.sql`UPDATE taguato.users SET failed_login_attempts = 0 WHERE username = 'ana'`;
  });

  await t.step("5 failures lock the account for 15 minutes, checked before the password", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await call(app, "POST", "/api/auth/login", {
        body: { username: "ana", password: "Wrong123!" },
        headers: ip(4),
      });
      assertEquals(r.status, 401);
    }
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: ip(4),
    });
    assertEquals([r.status, r.body], [
      429,
      errorBody("Account temporarily locked. Try again in 15 minutes."),
    ]);
    const [u] = await app.db.sql`SELECT failed_login_attempts, locked_until - now() AS left
      FROM taguato.users WHERE username = 'ana'`;
    assertEquals(u.failed_login_attempts, 5);
    const locked = await auditRows(app, "account_locked");
    assertEquals(locked.map((a) => a.username), ["ana"]);
  });

  await t.step("the lock expires with time and the count then starts over", async () => {
    await app.db
      .sql`UPDATE taguato.users SET locked_until = now() - interval '1 second' WHERE username = 'ana'`;
    const bad = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: "Wrong123!" },
      headers: ip(5),
    });
    assertEquals(bad.status, 401);
    const [u] = await app.db.sql`SELECT failed_login_attempts, locked_until FROM taguato.users
      WHERE username = 'ana'`;
    assertEquals([u.failed_login_attempts, u.locked_until], [1, null]);
    await login(app, "ana", PW, {}, ip(5));
    const [v] = await app.db.sql`SELECT failed_login_attempts FROM taguato.users WHERE username = 'ana'`;
    assertEquals(v.failed_login_attempts, 0);
  });

  await t.step("a name with no account locks after 5 failures too, with the same answers", async () => {
    const tries = async (username: string, n: number) => {
      const answers = [];
      for (let i = 0; i < n; i++) {
        const r = await call(app, "POST", "/api/auth/login", {
          body: { username, password: "Wrong123!" },
          headers: ip(6),
        });
        answers.push([r.status, r.body]);
      }
      return answers;
    };
    await createUser(app, "real_one", PW);
    const real = await tries("real_one", 6);
    const ghost = await tries("nobody_here", 6);
    assertEquals(ghost, real);
    assertEquals(ghost.at(-1), [429, errorBody("Account temporarily locked. Try again in 15 minutes.")]);
    await app.db.sql`UPDATE taguato.login_name_failures SET locked_until = now() - interval '1 second'`;
    assertEquals((await tries("nobody_here", 1))[0][0], 401, "the lock expires; the count starts over");
    assertEquals((await tries("nobody_here", 1))[0][0], 401);
  });

  await t.step("20 failures from one address block it for every account, not other addresses", async () => {
    for (let i = 0; i < 20; i++) {
      const r = await call(app, "POST", "/api/auth/login", {
        body: { username: `guess${i}`, password: "Wrong123!" },
        headers: ip(66),
      });
      assertEquals(r.status, 401);
    }
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: ip(66),
    });
    assertEquals(r.status, 429);
    assertEquals(r.body, errorBody("Too many failed attempts from this address. Try again later."));
    assert(Number(r.headers.get("retry-after")) > 0);
    await login(app, "ana", PW, {}, ip(67));
  });

  await t.step("X-Taguato-Client: panel sets the HttpOnly cookie and leaves the token out", async () => {
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: { "x-taguato-client": "panel", "x-forwarded-proto": "https" },
    });
    assertEquals(r.status, 200);
    assertEquals(r.body.token, undefined);
    assertEquals((r.body.user as { username: string }).username, "ana");
    const cookie = r.headers.get("set-cookie")!;
    assert(/^__Host-taguato_session=[0-9a-f]{64};/.test(cookie), cookie);
    for (const part of ["Max-Age=86400", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"]) {
      assert(cookie.includes(part), `${part} in ${cookie}`);
    }
    const plain = await call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: { "x-taguato-client": "panel" },
    });
    assert(!plain.headers.get("set-cookie")!.includes("Secure"), "no Secure over plain http");
  });
});

Deno.test("the session cookie is __Host- and Secure over HTTPS, plain over HTTP, and read under the name that applies", async (t) => {
  const panelLogin = (app: Awaited<ReturnType<typeof startTestApp>>, headers: Record<string, string> = {}) =>
    call(app, "POST", "/api/auth/login", {
      body: { username: "ana", password: PW },
      headers: { "x-taguato-client": "panel", ...headers },
    });
  const me = (app: Awaited<ReturnType<typeof startTestApp>>, cookie: string, headers = {}) =>
    call(app, "GET", "/api/auth/me", { headers: { cookie, ...headers } });
  const HTTPS = { "x-forwarded-proto": "https" };

  await t.step("behind a trusted proxy that says https", async () => {
    await using app = await startTestApp();
    await createUser(app, "ana", PW);
    const set = (await panelLogin(app, HTTPS)).headers.get("set-cookie")!;
    assert(/^__Host-taguato_session=[0-9a-f]{64};/.test(set) && set.includes("Secure"), set);
    const token = set.split(";")[0].split("=")[1];
    assertEquals((await me(app, `__Host-taguato_session=${token}`, HTTPS)).status, 200);
    assertEquals((await me(app, `taguato_session=${token}`, HTTPS)).status, 401, "the plain name over https");
    const out = await call(app, "POST", "/api/auth/logout", {
      headers: { cookie: `__Host-taguato_session=${token}`, origin: app.url, ...HTTPS },
    });
    assert(
      /^__Host-taguato_session=;.*Secure/.test(out.headers.get("set-cookie") ?? ""),
      "cleared by its name",
    );
  });

  await t.step("PUBLIC_URL https: __Host- even without a forwarded header", async () => {
    await using app = await startTestApp({ env: { PUBLIC_URL: "https://send.example.com" } });
    await createUser(app, "ana", PW);
    const set = (await panelLogin(app)).headers.get("set-cookie")!;
    assert(/^__Host-taguato_session=/.test(set) && set.includes("Secure"), set);
    const token = set.split(";")[0].split("=")[1];
    assertEquals((await me(app, `__Host-taguato_session=${token}`)).status, 200);
  });

  await t.step(
    "plain HTTP keeps today's name, and an untrusted peer's X-Forwarded-Proto is ignored",
    async () => {
      // A proxy list that does not hold the loopback peer the test connects from.
      await using app = await startTestApp({ env: { TRUSTED_PROXIES: "192.0.2.1/32" } });
      await createUser(app, "ana", PW);
      for (const headers of [{}, HTTPS]) {
        const set = (await panelLogin(app, headers)).headers.get("set-cookie")!;
        assert(/^taguato_session=[0-9a-f]{64};/.test(set) && !set.includes("Secure"), set);
        const token = set.split(";")[0].split("=")[1];
        assertEquals((await me(app, `taguato_session=${token}`)).status, 200);
      }
    },
  );
});

Deno.test("GET /api/auth/me answers the caller's profile and instances, and 401 without a valid token", async () => {
  await using app = await startTestApp();
  const id = await createUser(app, "ana", PW);
  await app.db.sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${id}, 'shop')`;
  const token = await login(app, "ana", PW);
  const r = await call(app, "GET", "/api/auth/me", { token });
  assertEquals(r.status, 200);
  const user = r.body.user as Record<string, unknown>;
  assertEquals({ ...user, created_at: typeof user.created_at, instances: undefined }, {
    id,
    username: "ana",
    role: "user",
    max_instances: 1,
    must_change_password: false,
    email: null,
    phone_number: null,
    created_at: "string",
    totp_enabled: false,
    instances: undefined,
  });
  assertEquals((user.instances as { instance_name: string }[]).map((i) => i.instance_name), ["shop"]);

  assertEquals((await call(app, "GET", "/api/auth/me")).body, errorBody("Missing apikey header"));
  const bad = await call(app, "GET", "/api/auth/me", { token: "f".repeat(64) });
  assertEquals([bad.status, bad.body], [401, errorBody("Invalid or expired session token")]);
  const huge = await call(app, "GET", "/api/auth/me", { token: "f".repeat(5000) });
  assertEquals(huge.status, 401);
});
