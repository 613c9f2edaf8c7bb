import { hash, verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import type { ErrorCode, Sql } from "../core/mod.ts";

/** Upper bound on accepted passwords: long enough for any passphrase, short enough to hash cheaply. */
export const MAX_PASSWORD_LENGTH = 256;

/** Hashes a password with argon2id (library defaults: 19 MiB, t=2, p=1, the OWASP baseline). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// TAGUATO-SEND stored pgcrypto bcrypt hashes (`$2a$`; other bcrypt tools write `$2b$`/`$2y$`). Users
// imported from it keep logging in with them until the login path upgrades them to argon2id.
const LEGACY_BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** True for a stored hash that is not argon2id and should be replaced at the next successful login. */
export const needsRehash = (passwordHash: string) => LEGACY_BCRYPT.test(passwordHash);

/**
 * True when `password` matches the stored hash (argon2 PHC string, or a legacy bcrypt hash); false for a
 * wrong password or a malformed hash.
 */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    if (LEGACY_BCRYPT.test(passwordHash)) return await bcrypt.compare(password, passwordHash);
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** After a successful login with a legacy hash: stores the argon2id hash of the same password. */
export async function upgradePasswordHash(sql: Sql, userId: number, oldHash: string, password: string) {
  // Conditional on the old hash, so a password changed meanwhile is never overwritten.
  await sql`
    UPDATE taguato.users SET password_hash = ${await hashPassword(password)}
    WHERE id = ${userId} AND password_hash = ${oldHash}`;
}

/**
 * The password policy of contract §2.5, checked in its order, plus a maximum length.
 * Returns the first violated rule's error code, or null when the password is acceptable.
 */
export function passwordPolicyError(password: unknown): ErrorCode | null {
  if (typeof password !== "string") return "password_required";
  // Bytes, as TAGUATO-SEND measured: 8 bytes of UTF-8 minimum.
  if (new TextEncoder().encode(password).length < 8) return "password_too_short";
  // The catalogue's text names MAX_PASSWORD_LENGTH (256).
  if ([...password].length > MAX_PASSWORD_LENGTH) return "password_too_long";
  if (!/[A-Z]/.test(password)) return "password_no_upper";
  if (!/[a-z]/.test(password)) return "password_no_lower";
  if (!/[0-9]/.test(password)) return "password_no_digit";
  return null;
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, made once per process: login verifies unknown usernames against it so
 * they take as long as known ones.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomUUID());
  return dummy;
}

/** The password hash of an active user, or null (inactive or gone). */
export async function activePasswordHash(sql: Sql, userId: number): Promise<string | null> {
  const [row] = await sql<{ password_hash: string }[]>`
    SELECT password_hash FROM taguato.users WHERE id = ${userId} AND is_active`;
  return row?.password_hash ?? null;
}

/** Stores the user's own new password hash and lifts the forced change (change-password). */
export async function setOwnPassword(
  sql: Sql,
  userId: number,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await sql`
    UPDATE taguato.users SET password_hash = ${passwordHash}, must_change_password = false, updated_at = ${now}
    WHERE id = ${userId}`;
}
