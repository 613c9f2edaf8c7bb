/**
 * An admin's writes to another user, each one transaction with its audit row: update, delete, 2FA reset.
 * They raise the catalogue errors of PUT/DELETE /admin/users/{id} themselves, so the route only maps input.
 */
import { fail, type Sql } from "../core/mod.ts";
import { clearTwoFactor } from "../auth/mod.ts";
import { auditAs } from "./audit.ts";
import {
  deleteUser,
  findUser,
  lockActiveAdmins,
  uniqueViolation,
  updateUser,
  type UserChanges,
} from "./users.ts";
import type { UserRow } from "./users.ts";

type Actor = { id: number; username: string };

/** Fields whose values may appear in the audit row (everything but the password). */
export const AUDITED_USER_VALUES = [
  "role",
  "max_instances",
  "is_active",
  "rate_limit",
  "email",
  "phone_number",
] as const;

/**
 * Applies `changes` to user `id`; `demotes` (role → user or deactivation) checks the last-admin rule.
 * `fields` are the request's field names, recorded in the audit row with the new non-secret values.
 */
export function adminUpdateUser(
  sql: Sql,
  id: number,
  changes: UserChanges,
  opts: { demotes: boolean; fields: string[]; actor: Actor; ip: string },
): Promise<UserRow> {
  return sql.begin(async (tx) => {
    // Admins are locked before the target (same order everywhere) so concurrent demotions serialise.
    const admins = opts.demotes ? await lockActiveAdmins(tx) : null;
    const before = await findUser(tx, id, { lock: true });
    if (!before) throw fail("user_not_found");
    if (admins && admins.includes(id) && admins.length === 1) throw fail("last_admin");
    let after: UserRow | null;
    try {
      after = await updateUser(tx, id, changes);
    } catch (err) {
      if (uniqueViolation(err) === "email") throw fail("email_taken");
      throw err;
    }
    if (!after) throw fail("user_not_found");
    const row = after;
    const values = Object.fromEntries(
      AUDITED_USER_VALUES.filter((k) => k in changes).map((k) => [k, row[k]]),
    );
    await auditAs(tx, opts.actor, opts.ip, {
      action: "user_updated",
      resourceType: "user",
      resourceId: id,
      details: { username: row.username, fields: opts.fields, values },
    });
    return row;
  });
}

/** Deletes user `id` (everything they own cascades) unless they are the last active admin. */
export function adminDeleteUser(
  sql: Sql,
  id: number,
  actor: Actor,
  ip: string,
): Promise<{ id: number; username: string }> {
  return sql.begin(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const target = await findUser(tx, id, { lock: true });
    if (!target) throw fail("user_not_found");
    if (admins.includes(id) && admins.length === 1) throw fail("last_admin");
    const row = await deleteUser(tx, id);
    if (!row) throw fail("user_not_found");
    await auditAs(tx, actor, ip, {
      action: "user_deleted",
      resourceType: "user",
      resourceId: id,
      details: { username: row.username },
    });
    return row;
  });
}

/** Turns off user `id`'s 2FA (secret, recovery codes and last step), refusing when it is not on. */
export async function adminResetTwoFactor(
  sql: Sql,
  id: number,
  actor: Actor,
  ip: string,
  now: Date,
): Promise<void> {
  await sql.begin(async (tx) => {
    const user = await findUser(tx, id, { lock: true });
    if (!user) throw fail("user_not_found");
    if (!user.totp_enabled) throw fail("tfa_not_enabled");
    await clearTwoFactor(tx, id, { now, forgetLastStep: true });
    await auditAs(tx, actor, ip, {
      action: "2fa_reset_by_admin",
      resourceType: "user",
      resourceId: id,
      details: { target_username: user.username },
    });
  });
}
