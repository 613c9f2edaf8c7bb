// Per-instance statistics (contract §7.3, fixed §14 #27): the instance's own numbers from the ledger (every
// sender's outbound rows since it was registered) and the reconnect worker's log, for whoever may reach it.
import type { Sql } from "../core/mod.ts";
import { reachableBy, type Reacher } from "../gateway/mod.ts";

// Statuses of a message the engine accepted (receipts only move it forward).
const SENT = ["sent", "delivered", "read", "played"];
const DELIVERED = ["delivered", "read", "played"];

/** The numbers of one instance from the ledger (outbound rows since `since`, when registered). */
async function ledgerNumbers(sql: Sql, name: string, since: Date | null) {
  const from = since ?? new Date(0);
  const [[counts], errors, reconnections, daily] = await Promise.all([
    sql<
      { total: number; sent: number; delivered: number; read: number; failed: number; cancelled: number }[]
    >`
      SELECT count(*)::int AS total,
        count(*) FILTER (WHERE status = ANY (${SENT}))::int AS sent,
        count(*) FILTER (WHERE status = ANY (${DELIVERED}))::int AS delivered,
        count(*) FILTER (WHERE status IN ('read', 'played'))::int AS read,
        count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
      FROM taguato.message_logs
      WHERE instance_name = ${name} AND direction = 'outbound' AND created_at >= ${from}`,
    sql<{ phone_number: string; message_type: string; error_message: string | null; created_at: Date }[]>`
      SELECT phone_number, message_type, error_message, created_at FROM taguato.message_logs
      WHERE instance_name = ${name} AND direction = 'outbound' AND status = 'failed' AND created_at >= ${from}
      ORDER BY created_at DESC, id DESC LIMIT 10`,
    sql<
      {
        previous_state: string | null;
        action: string;
        result: string;
        error_message: string | null;
        created_at: Date;
      }[]
    >`
      SELECT previous_state, action, result, error_message, created_at FROM taguato.reconnect_log
      WHERE instance_name = ${name} AND created_at >= ${from}
      ORDER BY created_at DESC, id DESC LIMIT 20`,
    sql<{ day: string; total: number; sent: number; failed: number }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
        count(m.id)::int AS total,
        count(m.id) FILTER (WHERE m.status = ANY (${SENT}))::int AS sent,
        count(m.id) FILTER (WHERE m.status = 'failed')::int AS failed
      FROM generate_series((now() AT TIME ZONE 'UTC')::date - 6, (now() AT TIME ZONE 'UTC')::date,
        interval '1 day') AS d(day)
      LEFT JOIN taguato.message_logs m
        ON m.instance_name = ${name} AND m.direction = 'outbound' AND m.created_at >= ${from}
        AND m.created_at >= d.day AT TIME ZONE 'UTC' AND m.created_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
      GROUP BY d.day ORDER BY d.day`,
  ]);
  return {
    ...counts,
    delivery_rate: counts.total ? Math.floor((counts.sent / counts.total) * 100) : 0,
    recent_errors: errors.map((e) => ({ ...e, created_at: e.created_at.toISOString() })),
    reconnections: reconnections.map((r) => ({ ...r, created_at: r.created_at.toISOString() })),
    daily,
  };
}

/**
 * The statistics of an instance the user may reach (owner, grantee, admin; admins also see an unregistered
 * name's empty numbers), or null when they may not.
 */
export async function instanceStats(sql: Sql, user: Reacher, name: string) {
  const [row] = await sql<{ created_at: Date; reachable: boolean }[]>`
    SELECT i.created_at, ${reachableBy(sql, user)} AS reachable
    FROM taguato.user_instances i WHERE i.instance_name = ${name}`;
  if (user.role !== "admin" && row?.reachable !== true) return null;
  const registeredAt = row?.created_at ?? null;
  return { registeredAt, ...await ledgerNumbers(sql, name, registeredAt) };
}
