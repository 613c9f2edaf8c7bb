/** SQL for the admin user management API: small functions taking `sql` first (they run inside sql.begin). */
import type postgres from "postgres";
import { escapeLike, type Sql } from "../core/mod.ts";

/** A pool or a transaction: every function here also runs inside `sql.begin`. */
export type Db = Sql | postgres.TransactionSql;

export interface UserRow {
  id: number;
  username: string;
  role: "admin" | "user";
  max_instances: number;
  is_active: boolean;
  must_change_password: boolean;
  rate_limit: number | null;
  email: string | null;
  phone_number: string | null;
  totp_enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

/** Columns an admin may change through PUT /admin/users/{id} (plus the password hash and lockout). */
export interface UserChanges {
  role?: "admin" | "user";
  max_instances?: number;
  is_active?: boolean;
  rate_limit?: number | null;
  email?: string | null;
  phone_number?: string | null;
  password_hash?: string;
  must_change_password?: boolean;
  failed_login_attempts?: number;
  locked_until?: null;
}

const columns = (sql: Db) =>
  sql`id, username, role, max_instances, is_active, must_change_password, rate_limit, email,
      phone_number, totp_enabled, created_at, updated_at`;

/** One page of users ordered by id; `search` is a literal, case-insensitive substring of the username. */
export async function listUsers(
  sql: Sql,
  opts: { search?: string; limit: number; offset: number },
): Promise<{ users: UserRow[]; total: number }> {
  const where = opts.search
    ? sql`WHERE username ILIKE ${"%" + escapeLike(opts.search) + "%"} ESCAPE '\\'`
    : sql``;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.users ${where}`;
  const users = await sql<UserRow[]>`
    SELECT ${columns(sql)} FROM taguato.users ${where}
    ORDER BY id LIMIT ${opts.limit} OFFSET ${opts.offset}`;
  return { users, total };
}

export async function findUser(sql: Db, id: number, opts: { lock?: boolean } = {}): Promise<UserRow | null> {
  const [row] = await sql<UserRow[]>`
    SELECT ${columns(sql)} FROM taguato.users WHERE id = ${id} ${opts.lock ? sql`FOR UPDATE` : sql``}`;
  return row ?? null;
}

/** Instances the user owns (not grants), in creation order. */
export function ownedInstances(sql: Db, userId: number) {
  return sql<{ instance_name: string; created_at: Date }[]>`
    SELECT instance_name, created_at FROM taguato.user_instances
    WHERE user_id = ${userId} ORDER BY created_at, id`;
}

export async function insertUser(
  sql: Sql,
  u: {
    username: string;
    password_hash: string;
    role: "admin" | "user";
    max_instances: number;
    is_active: boolean;
    rate_limit: number | null;
    email: string | null;
    phone_number: string | null;
  },
): Promise<UserRow> {
  const [row] = await sql<UserRow[]>`
    INSERT INTO taguato.users (username, password_hash, role, max_instances, is_active, rate_limit, email,
                               phone_number)
    VALUES (${u.username}, ${u.password_hash}, ${u.role}, ${u.max_instances}, ${u.is_active},
            ${u.rate_limit}, ${u.email}, ${u.phone_number})
    RETURNING ${columns(sql)}`;
  return row;
}

/** Applies `changes` (keys are column names chosen by the caller, never by the client) and bumps updated_at. */
export async function updateUser(sql: Db, id: number, changes: UserChanges): Promise<UserRow | null> {
  const keys = Object.keys(changes) as (keyof UserChanges)[];
  // postgres.js picks the "col = $n" form from the SET keyword right before the helper, so it stays inline.
  const [row] = keys.length
    ? await sql<UserRow[]>`
      UPDATE taguato.users SET ${
      sql(changes as Record<string, postgres.ParameterOrJSON<never>>, ...keys)
    }, updated_at = now()
      WHERE id = ${id} RETURNING ${columns(sql)}`
    : await sql<UserRow[]>`
      UPDATE taguato.users SET updated_at = now() WHERE id = ${id} RETURNING ${columns(sql)}`;
  return row ?? null;
}

export async function deleteUser(sql: Db, id: number): Promise<{ id: number; username: string } | null> {
  const [row] = await sql<{ id: number; username: string }[]>`
    DELETE FROM taguato.users WHERE id = ${id} RETURNING id, username`;
  return row ?? null;
}

/**
 * Ids of the active admins, row-locked until the transaction ends, so two admins demoting each other at
 * the same moment cannot both succeed and leave nobody in charge.
 */
export async function lockActiveAdmins(sql: Db): Promise<number[]> {
  const rows = await sql<{ id: number }[]>`
    SELECT id FROM taguato.users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE`;
  return rows.map((r) => r.id);
}

/** Which unique rule a failed insert/update broke: "username", "email", or null for anything else. */
export function uniqueViolation(err: unknown): "username" | "email" | null {
  const e = err as { code?: string; constraint_name?: string };
  if (e?.code !== "23505") return null;
  if (e.constraint_name === "users_username_key") return "username";
  if (e.constraint_name === "users_email_lower_key") return "email";
  return null;
}

export interface ProfileRow {
  id: number;
  username: string;
  role: "admin" | "user";
  max_instances: number;
  must_change_password: boolean;
  email: string | null;
  phone_number: string | null;
  created_at: Date;
  totp_enabled: boolean;
  instances: { instance_name: string; created_at: string }[];
}

/** The user's own profile with the instances it owns, in one round trip (GET /api/auth/me). */
export async function findProfile(sql: Sql, id: number): Promise<ProfileRow | null> {
  const [row] = await sql<ProfileRow[]>`
    SELECT u.id, u.username, u.role, u.max_instances, u.must_change_password, u.email, u.phone_number,
           u.created_at, u.totp_enabled,
           coalesce((SELECT json_agg(json_build_object(
                       'instance_name', i.instance_name,
                       'created_at', to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                     ORDER BY i.created_at, i.id)
                     FROM taguato.user_instances i WHERE i.user_id = u.id), '[]') AS instances
    FROM taguato.users u WHERE u.id = ${id}`;
  return row ?? null;
}

/** Whether a user with this id exists. */
export async function userExists(sql: Sql, id: number): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM taguato.users WHERE id = ${id}`;
  return row !== undefined;
}
