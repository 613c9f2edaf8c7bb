// Per-instance statistics (contract §7.3, fixed §14 #27): the instance's own numbers from the ledger (every
// sender's outbound rows since it was registered) and the reconnect worker's log, for whoever may reach it.
import type { Sql } from "../core/mod.ts";
import { reachableBy, type Reacher } from "../gateway/mod.ts";

// Statuses of a message the engine accepted (receipts only move it forward).
const SENT = ["sent", "delivered", "read", "played"];
const DELIVERED = ["delivered", "read", "played"];

/** floor(part / whole × 100), 0 when whole is 0. */
const rate = (part: number, whole: number) => whole ? Math.floor((part / whole) * 100) : 0;

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
    sql<{ day: string; total: number; sent: number; delivered: number; read: number; failed: number }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
        count(m.id)::int AS total,
        count(m.id) FILTER (WHERE m.status = ANY (${SENT}))::int AS sent,
        count(m.id) FILTER (WHERE m.status = ANY (${DELIVERED}))::int AS delivered,
        count(m.id) FILTER (WHERE m.status IN ('read', 'played'))::int AS read,
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
    delivery_rate: rate(counts.sent, counts.total),
    recent_errors: errors.map((e) => ({ ...e, created_at: e.created_at.toISOString() })),
    reconnections: reconnections.map((r) => ({ ...r, created_at: r.created_at.toISOString() })),
    daily: daily.map((d) => ({
      ...d,
      delivery_rate: rate(d.delivered, d.total),
      read_rate: rate(d.read, d.total),
    })),
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

// ---- the user dashboard (contract §7.1, one round trip of three parallel queries instead of seven) ----

/** One day of the dashboard's series: counts and the day's delivery and read rates (integer percent). */
export interface DashboardDay {
  day: string;
  count: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  /** floor(delivered / count × 100); 0 on a day without messages. */
  delivery_rate: number;
  /** floor(read / count × 100). */
  read_rate: number;
}

/**
 * Merges the per-day count deltas the message_logs triggers appended (migration 0026) into message_daily;
 * returns how many delta rows it merged. Reads are right either way (message_daily_counts adds the deltas);
 * this keeps them short. Safe to run on several replicas at once: each delta is merged once.
 */
export async function rollupDailyCounts(sql: Sql): Promise<number> {
  const [{ merged }] = await sql<{ merged: number }[]>`SELECT taguato.message_daily_rollup()::int AS merged`;
  return merged;
}

// Outbound rows of the user in (now - span, end of that UTC day): the part of a rolling window the whole-day
// counts cannot give (at most one day of rows, read over the (user_id, created_at) index).
const edge = (sql: Sql, userId: number, now: Date, span: string) =>
  sql`(SELECT count(*) FROM taguato.message_logs
       WHERE user_id = ${userId} AND direction = 'outbound'
         AND created_at > ${now}::timestamptz - ${span}::interval
         AND created_at < (((${now}::timestamptz - ${span}::interval) AT TIME ZONE 'UTC')::date + 1)
           AT TIME ZONE 'UTC')`;
// Whole UTC days after the window's first day, from the per-day counts.
const days = (sql: Sql, now: Date, span: string) =>
  sql`day > ((${now}::timestamptz - ${span}::interval) AT TIME ZONE 'UTC')::date`;

/**
 * The user's dashboard as of `now`: their outbound messages in the last 24 h / 7 / 30 days (rolling) and in
 * all, the accepted and read shares, their instances, and the last `days` UTC days (oldest first, empty
 * days too). Reads the per-day counts the triggers of migrations 0017 and 0026 keep (message_daily_counts),
 * plus at most one day of rows per rolling window, so its cost does not grow with the user's history.
 */
export async function userDashboard(sql: Sql, userId: number, now: Date, span = 7) {
  const [[totals], daily, [account]] = await Promise.all([
    sql<{ today: number; week: number; month: number; total: number; sent: number; read: number }[]>`
      SELECT
        (coalesce(sum(n) FILTER (WHERE ${days(sql, now, "1 day")}), 0) + ${
      edge(sql, userId, now, "1 day")
    })::int
          AS today,
        (coalesce(sum(n) FILTER (WHERE ${days(sql, now, "7 days")}), 0) + ${
      edge(sql, userId, now, "7 days")
    })::int
          AS week,
        (coalesce(sum(n) FILTER (WHERE ${days(sql, now, "30 days")}), 0) + ${
      edge(sql, userId, now, "30 days")
    })::int AS month,
        coalesce(sum(n), 0)::int AS total,
        coalesce(sum(n) FILTER (WHERE status = ANY (${SENT})), 0)::int AS sent,
        coalesce(sum(n) FILTER (WHERE status IN ('read', 'played')), 0)::int AS read
      FROM taguato.message_daily_counts WHERE user_id = ${userId}`,
    sql<Omit<DashboardDay, "delivery_rate" | "read_rate">[]>`
      WITH bounds AS (SELECT (${now}::timestamptz AT TIME ZONE 'UTC')::date AS last)
      SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
        coalesce(sum(b.n), 0)::int AS count,
        coalesce(sum(b.n) FILTER (WHERE b.status = ANY (${SENT})), 0)::int AS sent,
        coalesce(sum(b.n) FILTER (WHERE b.status = ANY (${DELIVERED})), 0)::int AS delivered,
        coalesce(sum(b.n) FILTER (WHERE b.status IN ('read', 'played')), 0)::int AS read,
        coalesce(sum(b.n) FILTER (WHERE b.status = 'failed'), 0)::int AS failed
      FROM bounds, generate_series(bounds.last - ${span - 1}::int, bounds.last, interval '1 day') AS d(day)
      LEFT JOIN taguato.message_daily_counts b ON b.user_id = ${userId} AND b.day = d.day::date
      GROUP BY d.day ORDER BY d.day`,
    sql<{ instances: number; max_instances: number }[]>`
      SELECT (SELECT count(*)::int FROM taguato.user_instances i WHERE i.user_id = u.id AND NOT i.pending)
        AS instances, u.max_instances
      FROM taguato.users u WHERE u.id = ${userId}`,
  ]);
  return {
    messages_today: totals.today,
    messages_week: totals.week,
    messages_month: totals.month,
    messages_total: totals.total,
    delivery_rate: rate(totals.sent, totals.total),
    read_rate: rate(totals.read, totals.total),
    instances: account?.instances ?? 0,
    max_instances: account?.max_instances ?? 1,
    daily: daily.map((d) => ({
      ...d,
      delivery_rate: rate(d.delivered, d.count),
      read_rate: rate(d.read, d.count),
    })),
  };
}
