// Brute-force protection for POST /api/auth/login: a per-account lockout that expires with time (fix of
// contract §14 #8: after the lock the counter starts over) and a per-client-IP failure limit in the
// shared cache, so one address cannot walk through many accounts. A submitted name with no active account
// is counted and locked by the same rule (taguato.login_name_failures), so the answers never tell whether
// a user exists.
import { type AppDeps, sha256Hex } from "../core/mod.ts";

type Deps = Pick<AppDeps, "sql" | "cache" | "clock">;

export const LOCK_THRESHOLD = 5;
export const LOCK_MS = 15 * 60_000;
export const IP_FAILURE_LIMIT = 20;
export const IP_WINDOW_MS = 15 * 60_000;

const ipKey = (ip: string) => `login_fail:ip:${ip}`;

/** The login candidate: every column the login handler needs, or null for an unknown username. */
export interface LoginUser {
  id: number;
  username: string;
  password_hash: string;
  role: "admin" | "user";
  max_instances: number;
  is_active: boolean;
  must_change_password: boolean;
  locked_until: Date | null;
  totp_enabled: boolean;
}

/** Looks a user up by exact username (active or not: the handler decides). */
export async function findLoginUser(deps: Deps, username: string): Promise<LoginUser | null> {
  const [row] = await deps.sql<LoginUser[]>`
    SELECT id, username, password_hash, role, max_instances, is_active, must_change_password,
           locked_until, totp_enabled
    FROM taguato.users WHERE username = ${username}`;
  return row ?? null;
}

/** True while the account's lock has not yet expired. */
export const isLocked = (deps: Deps, user: LoginUser) =>
  user.locked_until !== null && user.locked_until.getTime() > deps.clock.now();

/** True when this address has failed too often in the current window. */
export async function ipBlocked(deps: Deps, ip: string): Promise<boolean> {
  return Number(await deps.cache.get(ipKey(ip)) ?? 0) >= IP_FAILURE_LIMIT;
}

/** Counts a failed attempt from an address (unknown users included). */
export async function recordIpFailure(deps: Deps, ip: string): Promise<void> {
  await deps.cache.hit(ipKey(ip), IP_WINDOW_MS);
}

/**
 * Counts a failed password or code on an active account; the LOCK_THRESHOLD-th locks it for LOCK_MS.
 * A lock that has expired starts the count over. Returns whether this failure locked the account.
 */
export async function recordAccountFailure(deps: Deps, userId: number): Promise<boolean> {
  const now = new Date(deps.clock.now());
  const until = new Date(deps.clock.now() + LOCK_MS);
  const [row] = await deps.sql<{ failed_login_attempts: number }[]>`
    WITH cur AS (
      SELECT id, CASE WHEN locked_until IS NOT NULL AND locked_until <= ${now} THEN 0
                      ELSE failed_login_attempts END + 1 AS attempts
      FROM taguato.users WHERE id = ${userId} AND is_active FOR UPDATE
    )
    UPDATE taguato.users u
    SET failed_login_attempts = cur.attempts,
        locked_until = CASE WHEN cur.attempts >= ${LOCK_THRESHOLD} THEN ${until}::timestamptz
                            WHEN u.locked_until <= ${now} THEN NULL ELSE u.locked_until END
    FROM cur WHERE u.id = cur.id
    RETURNING u.failed_login_attempts`;
  return row?.failed_login_attempts === LOCK_THRESHOLD;
}

/** A successful login clears the account's failure count and lock. */
export async function clearAccountFailures(deps: Deps, userId: number): Promise<void> {
  await deps.sql`
    UPDATE taguato.users SET failed_login_attempts = 0, locked_until = NULL
    WHERE id = ${userId} AND (failed_login_attempts <> 0 OR locked_until IS NOT NULL)`;
}

/** True while a submitted name that has no active account is locked (see recordNameFailure). */
export async function isNameLocked(deps: Deps, name: string): Promise<boolean> {
  const [row] = await deps.sql`
    SELECT 1 FROM taguato.login_name_failures
    WHERE name_hash = ${await sha256Hex(name)} AND locked_until > ${new Date(deps.clock.now())}`;
  return !!row;
}

/**
 * Counts a failure for a name with no active account exactly like recordAccountFailure counts one for an
 * account: the LOCK_THRESHOLD-th locks it for LOCK_MS, and an expired lock starts the count over.
 */
export async function recordNameFailure(deps: Deps, name: string): Promise<void> {
  const now = new Date(deps.clock.now());
  const until = new Date(deps.clock.now() + LOCK_MS);
  await deps.sql`
    INSERT INTO taguato.login_name_failures AS f (name_hash, attempts, locked_until, last_failed_at)
    VALUES (${await sha256Hex(name)}, 1, ${LOCK_THRESHOLD <= 1 ? until : null}, ${now})
    ON CONFLICT (name_hash) DO UPDATE SET
      attempts = CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= ${now} THEN 1
                      ELSE f.attempts + 1 END,
      locked_until = CASE
        WHEN (CASE WHEN f.locked_until IS NOT NULL AND f.locked_until <= ${now} THEN 1
                   ELSE f.attempts + 1 END) >= ${LOCK_THRESHOLD} THEN ${until}::timestamptz
        WHEN f.locked_until <= ${now} THEN NULL ELSE f.locked_until END,
      last_failed_at = ${now}`;
}
