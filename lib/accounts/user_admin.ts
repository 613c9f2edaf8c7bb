/**
 * An admin's writes to another user, each one transaction with its audit row: update, delete, 2FA reset.
 * They raise the catalogue errors of PUT/DELETE /admin/users/{id} themselves, so the route only maps input.
 */
import { type AppDeps, fail, type Sql } from "../core/mod.ts";
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

/**
 * Deletes user `id` (everything they own cascades) unless they are the last active admin. Returns the
 * instances they owned, which still exist in the engine (see deleteEngineInstances), and the users who
 * had been granted one of them.
 */
export function adminDeleteUser(
  sql: Sql,
  id: number,
  actor: Actor,
  ip: string,
): Promise<{ id: number; username: string; instances: string[]; grantees: number[] }> {
  return sql.begin(async (tx) => {
    const admins = await lockActiveAdmins(tx);
    const target = await findUser(tx, id, { lock: true });
    if (!target) throw fail("user_not_found");
    if (admins.includes(id) && admins.length === 1) throw fail("last_admin");
    const owned = await tx<{ instance_name: string }[]>`
      SELECT instance_name FROM taguato.user_instances WHERE user_id = ${id} ORDER BY instance_name`;
    const grantees = await tx<{ grantee_user_id: number }[]>`
      SELECT DISTINCT p.grantee_user_id FROM taguato.instance_permissions p
      JOIN taguato.user_instances i ON i.instance_name = p.instance_name WHERE i.user_id = ${id}`;
    const row = await deleteUser(tx, id);
    if (!row) throw fail("user_not_found");
    await auditAs(tx, actor, ip, {
      action: "user_deleted",
      resourceType: "user",
      resourceId: id,
      details: { username: row.username },
    });
    return {
      ...row,
      instances: owned.map((r) => r.instance_name),
      grantees: grantees.map((r) => r.grantee_user_id),
    };
  });
}

/**
 * Deletes a removed user's instances from the engine, so none stays connected to WhatsApp with no owner
 * in the gateway. A 404 counts as gone; other failures are logged (the rows are already gone) and the
 * names returned.
 */
export async function deleteEngineInstances(
  deps: Pick<AppDeps, "evolution" | "log" | "config">,
  names: string[],
): Promise<string[]> {
  const left: string[] = [];
  for (const name of names) {
    try {
      const answer = await deps.evolution.deleteInstanceAnswer(name, {
        timeoutMs: deps.config.evolutionTimeoutMs,
      });
      if (answer.status < 400 || answer.status === 404) continue;
      deps.log.error("engine refused to delete a deleted user's instance", {
        instance: name,
        status: answer.status,
      });
    } catch (err) {
      deps.log.error("engine delete of a deleted user's instance failed", {
        instance: name,
        error: String(err),
      });
    }
    left.push(name);
  }
  return left;
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
