/** Listing live sessions, for their owner (API and panel) and for admins. */
import type { Sql } from "../core/mod.ts";

export interface SessionRow {
  id: number;
  ip_address: string | null;
  user_agent: string | null;
  last_active: Date;
  is_active: boolean;
  created_at: Date;
  expires_at: Date;
}

export interface AdminSessionRow extends SessionRow {
  user_id: number;
  username: string;
}

/** The user's live sessions, most recently used first (GET /api/sessions and /panel/sessions). */
export function listOwnSessions(sql: Sql, userId: number, now: Date): Promise<SessionRow[]> {
  return sql<SessionRow[]>`
    SELECT id, ip_address, user_agent, last_active, is_active, created_at, expires_at
    FROM taguato.sessions
    WHERE user_id = ${userId} AND is_active AND expires_at > ${now}
    ORDER BY last_active DESC, id DESC`;
}

/** Whether session `id` belongs to `userId` (live or not). */
export async function ownsSession(sql: Sql, userId: number, id: number): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM taguato.sessions WHERE id = ${id} AND user_id = ${userId}`;
  return row !== undefined;
}

/** One page of every live session (optionally one user's), most recently used first. */
export async function listSessions(
  sql: Sql,
  opts: { userId?: number; now: Date; limit: number; offset: number },
): Promise<{ sessions: AdminSessionRow[]; total: number }> {
  const byUser = opts.userId === undefined ? sql`` : sql`AND s.user_id = ${opts.userId}`;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.sessions s
    WHERE s.is_active AND s.expires_at > ${opts.now} ${byUser}`;
  const sessions = await sql<AdminSessionRow[]>`
    SELECT s.id, s.user_id, u.username, s.ip_address, s.user_agent, s.last_active, s.is_active,
           s.created_at, s.expires_at
    FROM taguato.sessions s JOIN taguato.users u ON u.id = s.user_id
    WHERE s.is_active AND s.expires_at > ${opts.now} ${byUser}
    ORDER BY s.last_active DESC, s.id DESC LIMIT ${opts.limit} OFFSET ${opts.offset}`;
  return { sessions, total };
}

/** The owner of session `id`, or null when there is no such session. */
export async function sessionOwner(
  sql: Sql,
  id: number,
): Promise<{ user_id: number; username: string } | null> {
  const [row] = await sql<{ user_id: number; username: string }[]>`
    SELECT s.user_id, u.username FROM taguato.sessions s JOIN taguato.users u ON u.id = s.user_id
    WHERE s.id = ${id}`;
  return row ?? null;
}
