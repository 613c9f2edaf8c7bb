/**
 * The admin dashboard (contract §7.2), corrected for Evolution v2.3.7: the engine's instances are flat
 * objects and `connected` counts `connectionStatus === "open"` (the contract read the v1
 * `instance.state` and always said 0, §14 #17). Message counts cover outbound rows of every user; a
 * row the engine accepted counts as sent whatever receipt followed (delivered, read, played).
 */
import type { AppDeps, Sql } from "../core/mod.ts";
import { overallUptime } from "./uptime.ts";

const DAY_MS = 86_400_000;

export interface AdminDashboard {
  users: { total: number; active: number };
  instances: {
    total_registered: number;
    /** Null when the engine did not answer (the rest of the dashboard still renders). */
    total_evolution: number | null;
    connected: number | null;
  };
  uptime_30d: number;
  messages: { today: number; total: number; sent: number; failed: number; delivery_rate: number };
  /** Sends of the last 7 UTC days (the panel's chart), ascending, days without sends as 0. */
  daily: { day: string; sent: number; failed: number }[];
  recent_activity: { type: string; name: string; created_at: Date }[];
  recent_reconnections: {
    instance_name: string;
    previous_state: string | null;
    result: string;
    error_message: string | null;
    created_at: Date;
  }[];
}

const SENT = ["sent", "delivered", "read", "played"];
const FAILED = ["failed", "cancelled"];

async function counts(sql: Sql, now: Date) {
  const [row] = await sql<
    {
      users: number;
      active: number;
      registered: number;
      today: number;
      total: number;
      sent: number;
      failed: number;
    }[]
  >`
    SELECT (SELECT count(*)::int FROM taguato.users) AS users,
           (SELECT count(*)::int FROM taguato.users WHERE is_active) AS active,
           (SELECT count(*)::int FROM taguato.user_instances) AS registered,
           count(*) FILTER (WHERE created_at >= ${new Date(now.getTime() - DAY_MS)})::int AS today,
           count(*)::int AS total,
           count(*) FILTER (WHERE status = ANY(${SENT}))::int AS sent,
           count(*) FILTER (WHERE status = ANY(${FAILED}))::int AS failed
    FROM taguato.message_logs WHERE direction = 'outbound'`;
  return row;
}

function daily(sql: Sql, now: Date) {
  const start = new Date(now.getTime() - 6 * DAY_MS);
  return sql<{ day: string; sent: number; failed: number }[]>`
    SELECT to_char(d, 'YYYY-MM-DD') AS day,
           count(m.id) FILTER (WHERE m.status = ANY(${SENT}))::int AS sent,
           count(m.id) FILTER (WHERE m.status = ANY(${FAILED}))::int AS failed
    FROM generate_series((${start}::timestamptz AT TIME ZONE 'UTC')::date,
                         (${now}::timestamptz AT TIME ZONE 'UTC')::date, interval '1 day') AS d
    LEFT JOIN taguato.message_logs m
      ON m.direction = 'outbound' AND (m.created_at AT TIME ZONE 'UTC')::date = d::date
    GROUP BY d ORDER BY d`;
}

// The 5 newest of each kind, merged newest first, 15 at most (contract §7.2).
function recentActivity(sql: Sql) {
  return sql<{ type: string; name: string; created_at: Date }[]>`
    SELECT type, name, created_at FROM (
      (SELECT 'user_created' AS type, username AS name, created_at FROM taguato.users
       ORDER BY created_at DESC LIMIT 5)
      UNION ALL
      (SELECT 'instance_created', instance_name, created_at FROM taguato.user_instances
       ORDER BY created_at DESC LIMIT 5)
      UNION ALL
      (SELECT CASE WHEN status = ANY(${FAILED}) THEN 'message_failed' ELSE 'message_sent' END,
              phone_number, created_at FROM taguato.message_logs WHERE direction = 'outbound'
       ORDER BY created_at DESC LIMIT 5)
      UNION ALL
      (SELECT 'user_login', coalesce(username, ''), created_at FROM taguato.audit_log
       WHERE action = 'user_login' ORDER BY created_at DESC LIMIT 5)
    ) a ORDER BY created_at DESC LIMIT 15`;
}

async function engineInstances(deps: Pick<AppDeps, "evolution">) {
  try {
    const list = await deps.evolution.fetchInstances({}, { timeoutMs: 5_000 });
    return { total: list.length, connected: list.filter((i) => i.connectionStatus === "open").length };
  } catch {
    return { total: null, connected: null };
  }
}

/** Everything on the admin dashboard, read in parallel (one engine call, five queries). */
export async function adminDashboard(
  deps: Pick<AppDeps, "sql" | "evolution" | "clock">,
): Promise<AdminDashboard> {
  const { sql } = deps;
  const now = new Date(deps.clock.now());
  const [c, engine, uptime, days, activity, reconnections] = await Promise.all([
    counts(sql, now),
    engineInstances(deps),
    overallUptime(sql, new Date(now.getTime() - 30 * DAY_MS)),
    daily(sql, now),
    recentActivity(sql),
    sql<AdminDashboard["recent_reconnections"]>`
      SELECT instance_name, previous_state, result, error_message, created_at FROM taguato.reconnect_log
      ORDER BY created_at DESC, id DESC LIMIT 5`,
  ]);
  return {
    users: { total: c.users, active: c.active },
    instances: { total_registered: c.registered, total_evolution: engine.total, connected: engine.connected },
    uptime_30d: uptime,
    messages: {
      today: c.today,
      total: c.total,
      sent: c.sent,
      failed: c.failed,
      delivery_rate: c.total === 0 ? 0 : Math.floor((c.sent / c.total) * 10000) / 100,
    },
    daily: days,
    recent_activity: activity,
    recent_reconnections: reconnections,
  };
}
