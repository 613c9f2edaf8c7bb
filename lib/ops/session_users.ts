import type { Sql } from "../core/mod.ts";

/** The users that have at least one live session (the admin Sessions page's user filter), by name. */
export async function usersWithSessions(sql: Sql, now: Date): Promise<{ id: number; username: string }[]> {
  return await sql<{ id: number; username: string }[]>`
    SELECT u.id, u.username FROM taguato.users u
    WHERE EXISTS (SELECT 1 FROM taguato.sessions s WHERE s.user_id = u.id AND s.is_active AND s.expires_at > ${now})
    ORDER BY u.username LIMIT 500`;
}
