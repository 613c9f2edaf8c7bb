/**
 * Instance ownership rows (taguato.user_instances) and grants (taguato.instance_permissions), as SQL.
 * Every function takes `sql` first so it also runs inside `sql.begin`.
 */
import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";
import { chooseEngine } from "./engines.ts";

type Q = Sql | postgres.TransactionSql;

/** Who a reachability check is for: admins reach every registered instance. */
export interface Reacher {
  id: number;
  role: "admin" | "user";
}

/**
 * The one rule for reaching an instance: its owner, a user granted access, or any admin, once the engine
 * has confirmed its creation (a pending reservation is reachable by nobody). A SQL condition on
 * `taguato.user_instances` aliased `i`; every query that lists or checks instances for a user uses it.
 */
export function reachableBy(sql: Q, user: Reacher) {
  return sql`(NOT i.pending AND (${user.role === "admin"} OR i.user_id = ${user.id} OR EXISTS (
    SELECT 1 FROM taguato.instance_permissions p
    WHERE p.instance_name = i.instance_name AND p.grantee_user_id = ${user.id})))`;
}

/** Names the user can reach (see reachableBy), alphabetically. */
export async function reachableInstanceNames(sql: Q, user: Reacher, limit = 10_000): Promise<string[]> {
  const rows = await sql<{ instance_name: string }[]>`
    SELECT i.instance_name FROM taguato.user_instances i
    WHERE ${reachableBy(sql, user)}
    ORDER BY i.instance_name
    LIMIT ${limit}`;
  return rows.map((r) => r.instance_name);
}

/** The requested names the user cannot reach (unregistered ones included), in request order. */
export async function unreachableInstances(sql: Q, user: Reacher, names: string[]): Promise<string[]> {
  const rows = await sql<{ n: string }[]>`
    SELECT t.n FROM unnest(${names}::text[]) WITH ORDINALITY AS t(n, ord)
    WHERE NOT EXISTS (
      SELECT 1 FROM taguato.user_instances i WHERE i.instance_name = t.n AND ${reachableBy(sql, user)})
    ORDER BY t.ord`;
  return rows.map((r) => r.n);
}

/** An instance as the panel lists it. */
export interface PanelInstance {
  name: string;
  state: "open" | "connecting" | "close";
  ownerJid: string | null;
  profileName: string | null;
  createdAt: string;
  owner: string;
  /** Owners and admins may delete; a grantee may use the instance but not destroy it. */
  canDelete: boolean;
  granted: boolean;
}

/**
 * The WhatsApp instances the user can reach (see reachableBy), newest first, with the last state the
 * engine reported (the panel refreshes it from GET /instance/fetchInstances).
 */
export async function panelInstances(sql: Q, user: Reacher): Promise<PanelInstance[]> {
  const rows = await sql<
    {
      instance_name: string;
      connection_state: string | null;
      owner_jid: string | null;
      profile_name: string | null;
      created_at: Date;
      owner: string;
      mine: boolean;
    }[]
  >`
    SELECT i.instance_name, i.connection_state, i.owner_jid, i.profile_name, i.created_at,
      u.username AS owner, i.user_id = ${user.id} AS mine
    FROM taguato.user_instances i JOIN taguato.users u ON u.id = i.user_id
    WHERE i.channel_type = 'whatsapp' AND ${reachableBy(sql, user)}
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT 500`;
  return rows.map((r) => ({
    name: r.instance_name,
    state: r.connection_state === "open" || r.connection_state === "connecting"
      ? r.connection_state
      : "close",
    ownerJid: r.owner_jid,
    profileName: r.profile_name,
    createdAt: r.created_at.toISOString(),
    owner: r.owner,
    canDelete: r.mine || user.role === "admin",
    granted: !r.mine,
  }));
}

/** How many instances the user owns and may own (`max_instances`); null when the user does not exist. */
export async function instanceAllowance(
  sql: Q,
  userId: number,
): Promise<{ owned: number; max: number } | null> {
  const [row] = await sql<{ max_instances: number; owned: number }[]>`
    SELECT max_instances,
      (SELECT count(*)::int FROM taguato.user_instances WHERE user_id = ${userId}) AS owned
    FROM taguato.users WHERE id = ${userId}`;
  return row ? { owned: row.owned, max: row.max_instances } : null;
}

/** The owner and channel of a confirmed instance, or null when no row exists or it is still pending. */
export async function findInstance(
  sql: Q,
  name: string,
): Promise<{ userId: number; channelType: "whatsapp" | "telegram" } | null> {
  const [row] = await sql<{ user_id: number; channel_type: "whatsapp" | "telegram" }[]>`
    SELECT user_id, channel_type FROM taguato.user_instances WHERE instance_name = ${name} AND NOT pending`;
  return row ? { userId: row.user_id, channelType: row.channel_type } : null;
}

export type Reservation =
  | { ok: true; engineId: number }
  | { ok: false; reason: "taken" }
  | { ok: false; reason: "no_engine" }
  | { ok: false; reason: "limit"; current: number; max: number }
  | { ok: false; reason: "no_user" };

/**
 * Inserts the ownership row as pending (see reachableBy; confirmInstance ends that) if the name is free (case-insensitively: "Shop" and "shop" must never
 * belong to two tenants) and the user is under `max_instances` (admins are unlimited), placed on the
 * engine with the most free capacity (engines.ts chooseEngine; `exclude`: engines not to use now).
 * Atomic: the user row is locked FOR UPDATE and the name by an advisory lock, so concurrent creates
 * cannot overshoot the limit (the contract's non-locking COUNT could) nor race on one name.
 */
export async function reserveInstance(
  sql: Sql,
  userId: number,
  name: string,
  exclude: number[] = [],
): Promise<Reservation> {
  return await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtextextended(${"instance:" + name.toLowerCase()}, 0))`;
    const [user] = await tx<{ role: string; max_instances: number }[]>`
      SELECT role, max_instances FROM taguato.users WHERE id = ${userId} FOR UPDATE`;
    if (!user) return { ok: false, reason: "no_user" } as const;
    const [taken] = await tx`
      SELECT 1 FROM taguato.user_instances WHERE lower(instance_name) = lower(${name}) LIMIT 1`;
    if (taken) return { ok: false, reason: "taken" } as const;
    const [{ count }] = await tx<{ count: number }[]>`
      SELECT count(*)::int AS count FROM taguato.user_instances WHERE user_id = ${userId}`;
    if (user.role !== "admin" && count >= user.max_instances) {
      return { ok: false, reason: "limit", current: count, max: user.max_instances } as const;
    }
    const engineId = await chooseEngine(tx, exclude);
    if (engineId === null) return { ok: false, reason: "no_engine" } as const;
    await tx`
      INSERT INTO taguato.user_instances (user_id, instance_name, channel_type, pending, engine_id)
      VALUES (${userId}, ${name}, 'whatsapp', true, ${engineId})`;
    return { ok: true, engineId } as const;
  });
}

/** Makes a reservation reachable once the engine has created the instance. */
export async function confirmInstance(sql: Q, userId: number, name: string): Promise<void> {
  await sql`
    UPDATE taguato.user_instances SET pending = false
    WHERE instance_name = ${name} AND user_id = ${userId} AND pending`;
}

/** Undoes a reservation the engine refused (only the caller's own pending row). */
export async function releaseInstance(sql: Q, userId: number, name: string): Promise<void> {
  await sql`
    DELETE FROM taguato.user_instances WHERE instance_name = ${name} AND user_id = ${userId} AND pending`;
}

/**
 * Deletes an instance's ownership row (grants, webhooks and scheduled sends cascade) and returns every
 * user whose reachable set changed: the owner and the grantees.
 */
export async function deleteInstanceRow(sql: Sql, name: string): Promise<number[]> {
  return await sql.begin(async (tx) => {
    const grantees = await tx<{ grantee_user_id: number }[]>`
      SELECT grantee_user_id FROM taguato.instance_permissions WHERE instance_name = ${name}`;
    const owners = await tx<{ user_id: number }[]>`
      DELETE FROM taguato.user_instances WHERE instance_name = ${name} RETURNING user_id`;
    return [...owners.map((r) => r.user_id), ...grantees.map((r) => r.grantee_user_id)];
  });
}
