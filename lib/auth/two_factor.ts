// TOTP second factor of an account: the pending secret of a setup, verification with replay protection,
// and one-time recovery codes (stored as keyed digests, never in clear).
import { type AppDeps, keyedDigest, keyedDigests, openSecret, sealSecret, type Sql } from "../core/mod.ts";
import type postgres from "postgres";
import { verifyTotp } from "./totp.ts";
import { touchUserViews } from "./credentials.ts";

type Deps = Pick<AppDeps, "sql" | "cache" | "clock" | "config">;

export const RECOVERY_CODE_COUNT = 10;
export const PENDING_TTL_MS = 10 * 60_000;
const CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const CODE_FAILURES = 5;
const CODE_WINDOW_MS = 15 * 60_000;
const pendingKey = (userId: number) => `totp_pending:${userId}`;

/** Ten new codes of 10 characters from an unambiguous alphabet (~49 bits each). */
export function generateRecoveryCodes(): string[] {
  const codes: string[] = [];
  while (codes.length < RECOVERY_CODE_COUNT) {
    let code = "";
    while (code.length < 10) {
      const [b] = crypto.getRandomValues(new Uint8Array(1));
      if (b < 8 * CODE_ALPHABET.length) code += CODE_ALPHABET[b % CODE_ALPHABET.length];
    }
    codes.push(code);
  }
  return codes;
}

/** A recovery code as typed (any case, spaces or dashes) → its canonical form, or null if it is not one. */
export function normalizeRecoveryCode(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const code = input.toLowerCase().replace(/[\s-]/g, "");
  return /^[a-z0-9]{10}$/.test(code) ? code : null;
}

const digestInput = (userId: number, code: string) => `${userId}:${code}`;

/** Replaces a user's recovery codes with fresh ones (inside `tx`); returns them, to show once. */
export async function replaceRecoveryCodes(
  deps: Deps,
  tx: postgres.TransactionSql,
  userId: number,
): Promise<string[]> {
  const codes = generateRecoveryCodes();
  const rows = await Promise.all(codes.map(async (code) => ({
    user_id: userId,
    code_hash: await keyedDigest(deps, "recovery_code", digestInput(userId, code)),
  })));
  await tx`DELETE FROM taguato.totp_recovery_codes WHERE user_id = ${userId}`;
  await tx`INSERT INTO taguato.totp_recovery_codes ${tx(rows, "user_id", "code_hash")}`;
  return codes;
}

/** Spends one recovery code; true only the first time a valid code is presented. */
export async function consumeRecoveryCode(deps: Deps, userId: number, input: unknown): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  if (!code) return false;
  const digests = await keyedDigests(deps, "recovery_code", digestInput(userId, code));
  const rows = await deps.sql`
    UPDATE taguato.totp_recovery_codes SET used_at = ${new Date(deps.clock.now())}
    WHERE id = (
      SELECT id FROM taguato.totp_recovery_codes
      WHERE user_id = ${userId} AND code_hash = ANY(${digests}) AND used_at IS NULL
      LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING id`;
  return rows.length === 1;
}

/** Remembers the secret a setup showed to the user, sealed, for PENDING_TTL_MS (shared by replicas). */
export async function storePendingSecret(deps: Deps, userId: number, secret: string): Promise<void> {
  await deps.cache.set(pendingKey(userId), await sealSecret(deps, "totp_pending", secret), PENDING_TTL_MS);
}

/** The pending secret of the user's latest setup, or null when none (or it expired). */
export async function pendingSecret(deps: Deps, userId: number): Promise<string | null> {
  const sealed = await deps.cache.get(pendingKey(userId));
  if (!sealed) return null;
  try {
    return await openSecret(deps, "totp_pending", sealed);
  } catch {
    return null;
  }
}

export async function dropPendingSecret(deps: Deps, userId: number): Promise<void> {
  await deps.cache.del(pendingKey(userId));
}

/**
 * Checks a TOTP code of a user with 2FA enabled and consumes its time step atomically: a step once
 * accepted (users.totp_last_step) is never accepted again, even by two concurrent requests.
 */
export async function verifyUserTotp(deps: Deps, userId: number, code: unknown): Promise<boolean> {
  const [row] = await deps.sql<{ totp_secret_enc: string | null; totp_last_step: number | null }[]>`
    SELECT totp_secret_enc, totp_last_step FROM taguato.users WHERE id = ${userId} AND totp_enabled`;
  if (!row?.totp_secret_enc) return false;
  const secret = await openSecret(deps, "totp", row.totp_secret_enc);
  const step = await verifyTotp(secret, code, deps.clock.now(), row.totp_last_step);
  if (step === null) return false;
  const claimed = await deps.sql`
    UPDATE taguato.users SET totp_last_step = ${step}
    WHERE id = ${userId} AND (totp_last_step IS NULL OR totp_last_step < ${step})
    RETURNING id`;
  return claimed.length === 1;
}

/**
 * A second factor given as one string: a 6-digit TOTP code, or else a recovery code (spent on success).
 * Returns how it was satisfied, or null.
 */
export async function checkSecondFactor(
  deps: Deps,
  userId: number,
  code: unknown,
): Promise<"totp" | "recovery" | null> {
  if (typeof code === "string" && /^[0-9]{6}$/.test(code)) {
    return await verifyUserTotp(deps, userId, code) ? "totp" : null;
  }
  return await consumeRecoveryCode(deps, userId, code) ? "recovery" : null;
}

/**
 * Throttles wrong codes on the session-authenticated 2FA routes (a stolen session must not be able to
 * guess its way to disabling 2FA). Returns false once CODE_FAILURES were counted in the window.
 */
export async function codeAttemptsLeft(deps: Deps, userId: number): Promise<boolean> {
  return Number(await deps.cache.get(`totp_fail:${userId}`) ?? 0) < CODE_FAILURES;
}

export async function recordCodeFailure(deps: Deps, userId: number): Promise<void> {
  await deps.cache.hit(`totp_fail:${userId}`, CODE_WINDOW_MS);
}

/** Seals a confirmed TOTP secret for storage in users.totp_secret_enc. */
export const sealTotpSecret = (deps: Deps, secret: string) => sealSecret(deps, "totp", secret);

/** Whether the user has 2FA on (the 2FA routes and /panel/security). */
export async function twoFactorEnabled(sql: Sql, userId: number): Promise<boolean> {
  const [row] = await sql<{ totp_enabled: boolean }[]>`
    SELECT totp_enabled FROM taguato.users WHERE id = ${userId}`;
  return row?.totp_enabled ?? false;
}

/**
 * Turns 2FA on with the confirmed secret (sealed) and the step that confirmed it; returns the new
 * recovery codes, or null when 2FA was already on (a concurrent enable won). The profile shows the flag.
 */
export async function enableTwoFactor(
  deps: Deps,
  userId: number,
  sealedSecret: string,
  step: number,
): Promise<string[] | null> {
  const codes = await deps.sql.begin(async (tx) => {
    const done = await tx`
      UPDATE taguato.users
      SET totp_secret_enc = ${sealedSecret}, totp_enabled = true, totp_last_step = ${step},
          updated_at = ${new Date(deps.clock.now())}
      WHERE id = ${userId} AND NOT totp_enabled RETURNING id`;
    if (done.length === 0) return null;
    return await replaceRecoveryCodes(deps, tx, userId);
  });
  if (codes) await touchUserViews(deps, userId);
  return codes;
}

/** The user turns 2FA off: the secret and every recovery code go, in one transaction. */
export async function disableTwoFactor(deps: Deps, userId: number): Promise<void> {
  const now = new Date(deps.clock.now());
  await deps.sql.begin((tx) => clearTwoFactor(tx, userId, { now }));
  await touchUserViews(deps, userId);
}

/**
 * Clears the secret and every recovery code inside `tx`. The admin reset also forgets the last accepted
 * step; the user's own disable keeps it.
 */
export async function clearTwoFactor(
  tx: postgres.TransactionSql,
  userId: number,
  opts: { now: Date; forgetLastStep?: boolean },
): Promise<void> {
  const lastStep = opts.forgetLastStep ? tx`, totp_last_step = NULL` : tx``;
  await tx`
    UPDATE taguato.users SET totp_enabled = false, totp_secret_enc = NULL ${lastStep}, updated_at = ${opts.now}
    WHERE id = ${userId}`;
  await tx`DELETE FROM taguato.totp_recovery_codes WHERE user_id = ${userId}`;
}

/** Replaces the recovery codes in a transaction of its own. */
export const regenerateRecoveryCodes = (deps: Deps, userId: number): Promise<string[]> =>
  deps.sql.begin((tx) => replaceRecoveryCodes(deps, tx, userId));
