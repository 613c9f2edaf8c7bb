// TOTP 2FA: setup, enable, login with codes and recovery codes, replay, disable, regeneration.
import { errorBody } from "./_helpers/errors.ts";
import { startTestApp } from "./_helpers/app.ts";
import { auditRows, call, createUser, login } from "./_helpers/auth_client.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ManualClock, sha256Hex } from "../lib/core/mod.ts";
import { totpAt } from "../lib/auth/mod.ts";

const PW = "Passw0rd!";

Deno.test("two-factor login with TOTP and one-time recovery codes: setup, enable, login, regenerate, disable, throttling and audit", async (t) => {
  // Time matters here: a TOTP step is accepted once, so the test moves a manual clock between codes.
  const clock = new ManualClock(Date.now());
  const app = await startTestApp({ clock, cache: "memory" });
  const code = (secret: string, stepOffset = 0) => totpAt(secret, clock.now() + stepOffset * 30_000);
  const id = await createUser(app, "ana", PW);
  const token = await login(app, "ana", PW);
  const post = (path: string, body: unknown, tok: string | undefined = token) =>
    call(app, "POST", `/api/auth/2fa/${path}`, { token: tok, body });
  const logIn = (extra: Record<string, unknown>) =>
    call(app, "POST", "/api/auth/login", { body: { username: "ana", password: PW, ...extra } });
  let secret = "";
  let codes: string[] = [];
  const secrets: string[] = [];
  try {
    await t.step("the 2FA routes answer 401 Unauthorized without a valid session", async () => {
      for (const tok of [undefined, "0".repeat(64)]) {
        const r = await call(app, "GET", "/api/auth/2fa/setup", { token: tok });
        assertEquals([r.status, r.body], [401, errorBody("Unauthorized")]);
        const e = await call(app, "POST", "/api/auth/2fa/enable", { token: tok, body: {} });
        assertEquals(e.body, errorBody("Unauthorized"));
      }
    });

    await t.step("setup returns a Base32 secret, the otpauth URI and a PNG QR code", async () => {
      const r = await call(app, "GET", "/api/auth/2fa/setup", { token });
      assertEquals(r.status, 200);
      secret = r.body.secret as string;
      secrets.push(secret);
      assert(/^[A-Z2-7]{32}$/.test(secret));
      assertEquals(
        r.body.otpauth_uri,
        `otpauth://totp/TAGUATO-SEND%3Aana?secret=${secret}&issuer=TAGUATO-SEND&algorithm=SHA1&digits=6&period=30`,
      );
      assert((r.body.qr as string).startsWith("data:image/png;base64,"));
      const [u] = await app.db.sql`SELECT totp_enabled, totp_secret_enc FROM taguato.users WHERE id = ${id}`;
      assertEquals([u.totp_enabled, u.totp_secret_enc], [false, null]);
    });

    await t.step("enable refuses bad input, a secret it did not issue and a wrong code", async () => {
      for (const body of [{}, { secret }, { code: "123456" }, { secret: "", code: "123456" }]) {
        assertEquals((await post("enable", body)).body, errorBody("secret and code are required"));
      }
      const other = await post("enable", { secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", code: "123456" });
      assertEquals(other.body, errorBody("No pending 2FA setup for this secret; start the setup again"));
      const wrong = await post("enable", { secret, code: await code(secret, 5) });
      assertEquals([wrong.status, wrong.body], [
        400,
        errorBody("Invalid code — verify your authenticator app is synchronized"),
      ]);
    });

    await t.step("enable stores the secret encrypted and returns 10 one-time recovery codes", async () => {
      const r = await post("enable", { secret: secret.toLowerCase(), code: await code(secret) });
      assertEquals(r.status, 200);
      assertEquals(r.body.message, "Two-factor authentication enabled");
      codes = r.body.recovery_codes as string[];
      assertEquals(codes.length, 10);
      assertEquals(new Set(codes).size, 10);
      for (const c of codes) assert(/^[a-z0-9]{10}$/.test(c), c);
      const [u] = await app.db.sql`SELECT totp_enabled, totp_secret_enc FROM taguato.users WHERE id = ${id}`;
      assertEquals(u.totp_enabled, true);
      assert(u.totp_secret_enc.startsWith("v1.") && !u.totp_secret_enc.includes(secret));
      const stored = await app.db
        .sql`SELECT code_hash FROM taguato.totp_recovery_codes WHERE user_id = ${id}`;
      assertEquals(stored.length, 10);
      for (const c of codes) assert(!stored.some((s) => s.code_hash.includes(c)));
      assertEquals(
        (await post("enable", { secret, code: await code(secret) })).body,
        errorBody("2FA is already enabled"),
      );
      assertEquals(
        (await call(app, "GET", "/api/auth/2fa/setup", { token })).body,
        errorBody("2FA is already enabled"),
      );
      assertEquals(
        ((await call(app, "GET", "/api/auth/me", { token })).body.user as { totp_enabled: boolean })
          .totp_enabled,
        true,
      );
    });

    await t.step("login asks for the second factor, then accepts a code exactly once", async () => {
      assertEquals((await logIn({})).body, { requires_2fa: true });
      const wrong = await logIn({ totp_code: await code(secret, 3) });
      assertEquals([wrong.status, wrong.body], [401, errorBody("Invalid authenticator code")]);
      const asNumber = await logIn({ totp_code: Number(await code(secret)) });
      assertEquals(asNumber.status, 401);
      const [u] = await app.db.sql`SELECT failed_login_attempts FROM taguato.users WHERE id = ${id}`;
      assertEquals(u.failed_login_attempts, 2);
      clock.advance(30_000);
      const next = await code(secret);
      const ok = await logIn({ totp_code: next });
      assertEquals(ok.status, 200);
      assert(typeof ok.body.token === "string");
      const replay = await logIn({ totp_code: next });
      assertEquals([replay.status, replay.body], [401, errorBody("Invalid authenticator code")]);
      const older = await logIn({ totp_code: await code(secret, -1) });
      assertEquals(older.status, 401, "a step before the last accepted one is refused too");
    });

    await t.step("a recovery code logs in once, as recovery_code or in totp_code", async () => {
      const r = await logIn({ recovery_code: codes[0] });
      assertEquals(r.status, 200);
      assertEquals((await logIn({ recovery_code: codes[0] })).status, 401);
      const typed = codes[1].toUpperCase().slice(0, 5) + "-" + codes[1].toUpperCase().slice(5);
      assertEquals((await logIn({ totp_code: typed })).status, 200);
      assertEquals((await logIn({ totp_code: codes[1] })).status, 401);
      assertEquals((await auditRows(app, "2fa_recovery_code_used")).length, 2);
    });

    await t.step("regenerating needs a current code and replaces every recovery code", async () => {
      assertEquals((await post("recovery-codes", {})).body, errorBody("code is required"));
      assertEquals((await post("recovery-codes", { code: codes[2] })).body, errorBody("Invalid code"));
      clock.advance(30_000);
      const r = await post("recovery-codes", { code: await code(secret) });
      assertEquals(r.status, 200);
      const fresh = r.body.recovery_codes as string[];
      assertEquals(fresh.length, 10);
      assertEquals((await logIn({ recovery_code: codes[2] })).status, 401);
      assertEquals((await logIn({ recovery_code: fresh[0] })).status, 200);
      codes = fresh.slice(1);
    });

    await t.step("wrong codes on the session routes are throttled", async () => {
      await app.deps.cache.del(`totp_fail:${id}`);
      for (let i = 0; i < 5; i++) {
        assertEquals((await post("disable", { code: "000000" })).body, errorBody("Invalid code"));
      }
      const r = await post("disable", { code: codes[0] });
      assertEquals([r.status, r.body], [429, errorBody("Too many invalid codes. Try again later.")]);
      await app.deps.cache.del(`totp_fail:${id}`);
    });

    await t.step("disable takes a recovery code; afterwards 2FA is off and the codes are gone", async () => {
      assertEquals((await post("disable", {})).body, errorBody("code is required"));
      const r = await post("disable", { code: codes[0] });
      assertEquals([r.status, r.body], [200, { message: "Two-factor authentication disabled" }]);
      const [u] = await app.db.sql`SELECT totp_enabled, totp_secret_enc FROM taguato.users WHERE id = ${id}`;
      assertEquals([u.totp_enabled, u.totp_secret_enc], [false, null]);
      const [n] = await app.db
        .sql`SELECT count(*)::int AS n FROM taguato.totp_recovery_codes WHERE user_id = ${id}`;
      assertEquals(n.n, 0);
      assertEquals(
        (await post("disable", { code: "123456" })).body,
        errorBody("2FA is not currently enabled"),
      );
      assertEquals(
        (await post("recovery-codes", { code: "123456" })).body,
        errorBody("2FA is not currently enabled"),
      );
      assertEquals((await logIn({})).status, 200);
    });

    await t.step("API keys cannot reach the 2FA routes", async () => {
      const key = "k".repeat(48);
      await app.db.sql`INSERT INTO taguato.api_keys (user_id, name, key_hash, key_prefix)
        VALUES (${id}, 'ci', ${await sha256Hex(key)}, 'kkkk')`;
      const r = await call(app, "GET", "/api/auth/2fa/setup", { token: key });
      assertEquals([r.status, r.body], [403, errorBody("This endpoint requires a login session")]);
    });

    await t.step("audit rows name every event and hold no secret, code or password", async () => {
      const rows = await app.db.sql`SELECT action, details::text AS d, resource_id FROM taguato.audit_log`;
      const actions = new Set(rows.map((r) => r.action));
      for (
        const a of ["2fa_enabled", "2fa_disabled", "2fa_recovery_code_used", "recovery_codes_regenerated"]
      ) {
        assert(actions.has(a), a);
      }
      const text = JSON.stringify(rows);
      for (const s of [...secrets, ...codes, PW, token]) assert(!text.includes(s), `audit leaks ${s}`);
    });
  } finally {
    await app.close();
  }
});
