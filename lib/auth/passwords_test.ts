import bcrypt from "bcryptjs";
import { assert, assertEquals } from "../core/testing.ts";
import { errorText } from "../core/errors.ts";
import {
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  passwordPolicyError,
  verifyPassword,
} from "./passwords.ts";

Deno.test("hashPassword makes argon2id PHC strings that verifyPassword accepts", async () => {
  const h = await hashPassword("Secret123");
  assert(h.startsWith("$argon2id$v=19$"), h);
  assert(await verifyPassword(h, "Secret123"));
  assertEquals(await verifyPassword(h, "secret123"), false);
  assert(h !== await hashPassword("Secret123"), "salted");
});

Deno.test("verifyPassword answers false for a malformed hash instead of throwing", async () => {
  assertEquals(await verifyPassword("not-a-hash", "x"), false);
  assertEquals(await verifyPassword("$2a$06$abcdefghijklmnopqrstuu", "x"), false);
});

Deno.test("the dummy hash is made once and matches no ordinary password", async () => {
  const a = await dummyPasswordHash();
  assertEquals(await dummyPasswordHash(), a);
  assertEquals(await verifyPassword(a, "Admin123!"), false);
});

Deno.test("passwordPolicyError checks the contract rules in order, then the maximum", () => {
  const cases: [unknown, string | null][] = [
    [undefined, "Password is required"],
    [12345678, "Password is required"],
    [null, "Password is required"],
    ["", "Password must be at least 8 characters"],
    ["Ab1defg", "Password must be at least 8 characters"],
    ["abcdefgh", "Password must contain at least one uppercase letter"],
    ["ABCDEFGH", "Password must contain at least one lowercase letter"],
    ["Abcdefgh", "Password must contain at least one number"],
    ["Abcdefg1", null],
    ["Ab1" + "x".repeat(253), null],
    ["Ab1" + "x".repeat(254), "Password must be at most 256 characters"],
    // The minimum counts UTF-8 bytes, as TAGUATO-SEND did: 7 characters, 8 bytes.
    ["Añ1aaaa", null],
    // Non-ASCII letters do not count as upper/lower case (ASCII classes, as in the contract).
    ["ÁÉÍÓÚáéí1", "Password must contain at least one uppercase letter"],
  ];
  for (const [pw, expected] of cases) {
    const code = passwordPolicyError(pw);
    assertEquals(code === null ? null : errorText(code), expected, String(pw));
  }
});

Deno.test("verifyPassword accepts TAGUATO-SEND's bcrypt hashes ($2a$/$2b$/$2y$), which need a rehash", async () => {
  // pgcrypto's crypt(pw, gen_salt('bf')) writes $2a$ at cost 6; other tools write $2b$ or $2y$.
  const legacy = bcrypt.hashSync("Old-Pass1", 6);
  for (const prefix of ["$2a$", "$2b$", "$2y$"]) {
    const h = prefix + legacy.slice(4);
    assert(await verifyPassword(h, "Old-Pass1"), h);
    assertEquals(await verifyPassword(h, "old-pass1"), false);
    assert(needsRehash(h));
  }
  assertEquals(needsRehash(await hashPassword("Secret123")), false);
});
