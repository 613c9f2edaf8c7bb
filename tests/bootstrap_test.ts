// The first administrator (DESIGN §4): from ADMIN_USERNAME/ADMIN_PASSWORD or a generated password shown
// once; idempotent and race-free when replicas start together.
import { createTestDatabase } from "./_helpers/db.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ensureAdmin, generatePassword } from "../lib/accounts/mod.ts";
import { loadConfig, silentLogger } from "../lib/core/mod.ts";
import { passwordPolicyError, verifyPassword } from "../lib/auth/mod.ts";

Deno.test("ensureAdmin creates one admin with a printed generated password, even when replicas start together, and only once", async (t) => {
  await using db = await createTestDatabase();
  await t.step("two replicas starting together create one admin and print one password", async () => {
    const printed: string[] = [];
    const deps = { sql: db.sql, config: loadConfig({ ADMIN_USERNAME: "root" }), log: silentLogger };
    const results = await Promise.all([
      ensureAdmin(deps, (l) => printed.push(l)),
      ensureAdmin(deps, (l) => printed.push(l)),
      ensureAdmin(deps, (l) => printed.push(l)),
    ]);
    assertEquals(results.filter((r) => r.created).length, 1);
    assertEquals(printed.length, 1);
    const password = /generated password: (\S+)/.exec(printed[0])![1];
    assertEquals(passwordPolicyError(password), null);
    const rows = await db
      .sql`SELECT username, role, must_change_password, password_hash FROM taguato.users`;
    assertEquals(rows.map((r) => [r.username, r.role, r.must_change_password]), [["root", "admin", true]]);
    assert(await verifyPassword(rows[0].password_hash, password));
  });

  await t.step("it does nothing once an admin exists, whatever the configuration says", async () => {
    const printed: string[] = [];
    const deps = {
      sql: db.sql,
      config: loadConfig({ ADMIN_USERNAME: "other", ADMIN_PASSWORD: "Whatever1" }),
      log: silentLogger,
    };
    assertEquals(await ensureAdmin(deps, (l) => printed.push(l)), { created: false, username: "other" });
    assertEquals(printed, []);
    const [n] = await db.sql`SELECT count(*)::int AS n FROM taguato.users`;
    assertEquals(n.n, 1);
  });
});

Deno.test("ensureAdmin uses ADMIN_PASSWORD as given and prints nothing", async () => {
  await using db = await createTestDatabase();
  const printed: string[] = [];
  const deps = { sql: db.sql, config: loadConfig({ ADMIN_PASSWORD: "Admin123!" }), log: silentLogger };
  assertEquals(await ensureAdmin(deps, (l) => printed.push(l)), { created: true, username: "admin" });
  assertEquals(printed, []);
  const [u] = await db.sql`SELECT password_hash FROM taguato.users WHERE username = 'admin'`;
  assert(await verifyPassword(u.password_hash, "Admin123!"));
});

Deno.test("generated passwords are 20 characters, policy-compliant and different", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const pw = generatePassword();
    assertEquals(pw.length, 20);
    assertEquals(passwordPolicyError(pw), null);
    seen.add(pw);
  }
  assertEquals(seen.size, 50);
});
