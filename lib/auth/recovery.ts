/**
 * Password recovery (contract §2.7) without its weaknesses: 6-digit codes from a CSPRNG stored only as
 * keyed digests (HMAC, lib/core/secret_box.ts) compared in constant time, reset tokens stored as SHA-256,
 * 5 attempts per code, per-IP and per-user limits shared through the cache, and answers whose content
 * and timing do not reveal whether an account exists.
 */
import {
  type AppDeps,
  type ErrorCode,
  fail,
  keyedDigest,
  keyedDigests,
  type Locale,
  randomToken,
  sha256Hex,
  type Sql,
  timingSafeEqual,
} from "../core/mod.ts";
import { audit } from "../accounts/mod.ts";
import { invalidateUser, revokeUserApiKeys, revokeUserSessions } from "./credentials.ts";
import { hashPassword } from "./passwords.ts";
import { deliverCode } from "./recovery_delivery.ts";

export const CODE_TTL_MINUTES = 15;
export const TOKEN_TTL_MINUTES = 10;
export const MAX_CODE_ATTEMPTS = 5;
export const REQUESTS_PER_HOUR = 3;
export const VERIFY_PER_IP_PER_HOUR = 30;
const HOUR_MS = 3_600_000;

export type RecoveryMethod = "email" | "whatsapp" | "admin_email";

export interface RecoveryUser {
  id: number;
  username: string;
  email: string | null;
  phone_number: string | null;
}

/** A uniformly distributed 6-digit code (leading zeros kept) from crypto.getRandomValues. */
export function generateCode(): string {
  const limit = Math.floor(0x1_0000_0000 / 1_000_000) * 1_000_000; // rejection sampling: no modulo bias
  const buf = new Uint32Array(1);
  do crypto.getRandomValues(buf); while (buf[0] >= limit);
  return String(buf[0] % 1_000_000).padStart(6, "0");
}

/** The active user whose username (preferred) or e-mail (case-insensitive) equals `identifier`. */
export async function findActiveUser(sql: Sql, identifier: string): Promise<RecoveryUser | null> {
  const [row] = await sql<RecoveryUser[]>`
    SELECT id, username, email, phone_number FROM taguato.users
    WHERE is_active AND (username = ${identifier} OR lower(email) = lower(${identifier}))
    ORDER BY (username = ${identifier}) DESC LIMIT 1`;
  return row ?? null;
}

const CODE_PURPOSE = "password_reset_code";
const codeDigestInput = (userId: number, code: string) => `${userId}:${code}`;

/** Retires the user's unused codes and stores a new one; returns the plaintext code (never stored). */
export async function issueCode(deps: AppDeps, userId: number, method: RecoveryMethod): Promise<string> {
  const code = generateCode();
  const codeHash = await keyedDigest(deps, CODE_PURPOSE, codeDigestInput(userId, code));
  await deps.sql.begin(async (tx) => {
    await tx`UPDATE taguato.password_resets SET used_at = now() WHERE user_id = ${userId} AND used_at IS NULL`;
    await tx`
      INSERT INTO taguato.password_resets (user_id, code_hash, method, expires_at)
      VALUES (${userId}, ${codeHash}, ${method}, now() + make_interval(mins => ${CODE_TTL_MINUTES}))`;
  });
  return code;
}

/** True while `key` has seen at most `max` hits this hour; a cache outage lets the request through. */
async function withinLimit(deps: AppDeps, key: string, max: number): Promise<boolean> {
  try {
    return (await deps.cache.hit(key, HOUR_MS)).count <= max;
  } catch (err) {
    deps.log.warn("recovery rate limit unavailable", { key, error: String(err) });
    return true;
  }
}

/**
 * Step 1. Resolves as soon as the per-IP limit is counted (the caller answers the same generic 200): the
 * lookup, per-user limit, code and delivery run after the answer, so its timing reveals nothing either.
 */
export async function requestRecovery(
  deps: AppDeps,
  req: { identifier: string; ip: string; locale: Locale },
): Promise<void> {
  if (!(await withinLimit(deps, `recovery_rl:ip:${req.ip}`, REQUESTS_PER_HOUR))) return;
  issueAndDeliver(deps, req).catch((err) =>
    deps.log.warn("password recovery request failed", { ip: req.ip, error: String(err) })
  );
}

async function issueAndDeliver(deps: AppDeps, req: { identifier: string; ip: string; locale: Locale }) {
  const user = await findActiveUser(deps.sql, req.identifier);
  if (!user) return;
  if (!(await withinLimit(deps, `recovery_rl:user:${user.id}`, REQUESTS_PER_HOUR))) return;
  const method: RecoveryMethod | null = user.email && deps.config.smtp
    ? "email"
    : user.phone_number && deps.config.recoveryAdminInstance
    ? "whatsapp"
    : null;
  if (!method) return;
  const code = await issueCode(deps, user.id, method);
  await audit(deps.sql, {
    userId: user.id,
    username: user.username,
    action: "password_reset_requested",
    resourceType: "user",
    resourceId: user.id,
    details: { method },
    ip: req.ip,
  });
  await deliverCode(deps, user, method, code, req.locale);
}

type VerifyOutcome = { token: string } | { error: ErrorCode };

/** Step 2: checks the newest live code (counting the attempt first) and issues a 10-minute reset token. */
export async function verifyCode(deps: AppDeps, identifier: string, code: string): Promise<string> {
  const user = await findActiveUser(deps.sql, identifier);
  if (!user) throw fail("reset_code_invalid");
  const candidates = /^[0-9]{6}$/.test(code)
    ? await keyedDigests(deps, CODE_PURPOSE, codeDigestInput(user.id, code))
    : [];
  // Errors are returned, not thrown, so the attempt counter commits even when the code is wrong.
  const outcome = await deps.sql.begin(async (tx): Promise<VerifyOutcome> => {
    const [row] = await tx<{ id: number; code_hash: string; attempts: number }[]>`
      SELECT id, code_hash, attempts FROM taguato.password_resets
      WHERE user_id = ${user.id} AND used_at IS NULL AND expires_at > now()
      ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`;
    if (!row) return { error: "reset_code_invalid" };
    if (row.attempts >= MAX_CODE_ATTEMPTS) {
      await tx`UPDATE taguato.password_resets SET used_at = now() WHERE id = ${row.id}`;
      return { error: "reset_too_many_attempts" };
    }
    await tx`UPDATE taguato.password_resets SET attempts = attempts + 1 WHERE id = ${row.id}`;
    // Constant-time comparisons against the digest under every available key (see secret_box.ts).
    if (!candidates.map((d) => timingSafeEqual(d, row.code_hash)).includes(true)) {
      return { error: "reset_code_invalid" };
    }
    const token = randomToken();
    await tx`
      UPDATE taguato.password_resets
      SET reset_token_hash = ${await sha256Hex(token)},
          expires_at = now() + make_interval(mins => ${TOKEN_TTL_MINUTES})
      WHERE id = ${row.id}`;
    return { token };
  });
  if ("error" in outcome) throw fail(outcome.error);
  return outcome.token;
}

/** Step 3: sets the new password, clears lockout, burns the codes and signs the user out everywhere. */
export async function resetPassword(
  deps: AppDeps,
  req: { token: string; newPassword: string; ip: string },
): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(req.token)) throw fail("reset_token_invalid");
  const tokenHash = await sha256Hex(req.token);
  const passwordHash = await hashPassword(req.newPassword);
  const user = await deps.sql.begin(async (tx) => {
    const [row] = await tx<{ user_id: number; username: string; reset_token_hash: string }[]>`
      SELECT r.user_id, u.username, r.reset_token_hash
      FROM taguato.password_resets r JOIN taguato.users u ON u.id = r.user_id AND u.is_active
      WHERE r.reset_token_hash = ${tokenHash} AND r.used_at IS NULL AND r.expires_at > now()
      FOR UPDATE OF r`;
    if (!row || !timingSafeEqual(row.reset_token_hash, tokenHash)) throw fail("reset_token_invalid");
    await tx`
      UPDATE taguato.users
      SET password_hash = ${passwordHash}, must_change_password = false, failed_login_attempts = 0,
          locked_until = NULL, updated_at = now()
      WHERE id = ${row.user_id}`;
    await tx`
      UPDATE taguato.password_resets SET used_at = now() WHERE user_id = ${row.user_id} AND used_at IS NULL`;
    await audit(tx, {
      userId: row.user_id,
      username: row.username,
      action: "password_reset_completed",
      resourceType: "user",
      resourceId: row.user_id,
      ip: req.ip,
    });
    return { id: row.user_id };
  });
  await revokeUserSessions(deps, user.id);
  await revokeUserApiKeys(deps, user.id);
  await invalidateUser(deps, user.id);
}

/** Retires every live code of the user (one that could not be delivered must not stay usable). */
export async function retireResetCodes(sql: Sql, userId: number): Promise<void> {
  await sql`UPDATE taguato.password_resets SET used_at = now() WHERE user_id = ${userId} AND used_at IS NULL`;
}

/** Per-IP limit of the verify step (the contract had none): false once exceeded this hour. */
export const verifyAllowed = (deps: AppDeps, ip: string) =>
  withinLimit(deps, `recovery_verify:ip:${ip}`, VERIFY_PER_IP_PER_HOUR);
