/**
 * Uptime samples: the worker's run (check, record, alert on change, open/resolve automatic incidents)
 * and the figures read from them. Every figure leaves out the samples taken inside a declared
 * maintenance window of that service (a window linked to no service covers them all), so planned work
 * does not count as downtime.
 */
import type { AppDeps, Sql } from "../core/mod.ts";
import { type AlertResult, sendAlert, serviceDownAlert, serviceRecoveredAlert } from "./alerts.ts";
import { runChecks, type ServiceCheck } from "./checks.ts";
import { addIncidentUpdate, createIncident, openAutoIncident, serviceIdByName } from "./incidents.ts";
import { type CheckStatus, uptimePct } from "./model.ts";
import { notifySubscribers } from "./subscribers.ts";

/** Where the public status document is cached (status.ts), dropped when an incident changes here. */
export const STATUS_CACHE_KEY = "status:cache";

const DAY_MS = 86_400_000;
/** Samples older than this are deleted by the worker (the daily bars reach back 90 days). */
export const RETENTION_DAYS = 90;

// True for a sample `u` taken inside a maintenance window that covers its service.
const inMaintenance = (sql: Sql) =>
  sql`EXISTS (
    SELECT 1 FROM taguato.scheduled_maintenances m
    WHERE u.checked_at >= m.scheduled_start AND u.checked_at <= m.scheduled_end
      AND (NOT EXISTS (SELECT 1 FROM taguato.maintenance_services x WHERE x.maintenance_id = m.id)
           OR EXISTS (SELECT 1 FROM taguato.maintenance_services x JOIN taguato.services s ON s.id = x.service_id
                      WHERE x.maintenance_id = m.id AND s.name = u.service_name)))`;

/** Per service: `floor(ok/total×10000)/100` since `since` (services without samples are absent). */
export async function uptimeByService(sql: Sql, since: Date): Promise<Record<string, number>> {
  const rows = await sql<{ service_name: string; ok: number; total: number }[]>`
    SELECT u.service_name, count(*) FILTER (WHERE u.status = 'operational')::int AS ok, count(*)::int AS total
    FROM taguato.uptime_checks u
    WHERE u.checked_at >= ${since} AND NOT ${inMaintenance(sql)}
    GROUP BY u.service_name`;
  return Object.fromEntries(rows.map((r) => [r.service_name, uptimePct(r.ok, r.total)]));
}

/** All services together (the admin dashboard's uptime_30d; 100 without samples). */
export async function overallUptime(sql: Sql, since: Date): Promise<number> {
  const [r] = await sql<{ ok: number; total: number }[]>`
    SELECT count(*) FILTER (WHERE u.status = 'operational')::int AS ok, count(*)::int AS total
    FROM taguato.uptime_checks u WHERE u.checked_at >= ${since} AND NOT ${inMaintenance(sql)}`;
  return uptimePct(r.ok, r.total);
}

export interface DayPct {
  day: string;
  pct: number;
}

/** Per service, one entry per UTC day with samples since `since`, ascending. */
export async function uptimeDaily(sql: Sql, since: Date): Promise<Record<string, DayPct[]>> {
  const rows = await sql<{ service_name: string; day: string; ok: number; total: number }[]>`
    SELECT u.service_name, to_char(u.checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
           count(*) FILTER (WHERE u.status = 'operational')::int AS ok, count(*)::int AS total
    FROM taguato.uptime_checks u
    WHERE u.checked_at >= ${since} AND NOT ${inMaintenance(sql)}
    GROUP BY 1, 2 ORDER BY 1, 2`;
  const out: Record<string, DayPct[]> = {};
  for (const r of rows) (out[r.service_name] ??= []).push({ day: r.day, pct: uptimePct(r.ok, r.total) });
  return out;
}

/** Per service, the rounded mean response time per UTC hour since `since`, ascending. */
export async function responseTimeHistory(
  sql: Sql,
  since: Date,
): Promise<Record<string, { hour: string; avg_ms: number }[]>> {
  const rows = await sql<{ service_name: string; hour: string; avg_ms: number }[]>`
    SELECT service_name, to_char(date_trunc('hour', checked_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00:00') AS hour,
           round(avg(response_time))::int AS avg_ms
    FROM taguato.uptime_checks WHERE checked_at >= ${since}
    GROUP BY 1, 2 ORDER BY 1, 2`;
  const out: Record<string, { hour: string; avg_ms: number }[]> = {};
  for (const r of rows) (out[r.service_name] ??= []).push({ hour: r.hour, avg_ms: r.avg_ms });
  return out;
}

export interface SlaRow {
  service: string;
  /** Samples counted (outside maintenance). */
  checks: number;
  /** Samples left out because a maintenance window covered them. */
  excluded: number;
  uptime: number;
  avg_ms: number;
}

/** The SLA of calendar month `month` ("YYYY-MM", UTC) per service, maintenance excluded. */
export async function monthlySla(sql: Sql, month: string): Promise<SlaRow[]> {
  const start = new Date(`${month}-01T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const rows = await sql<(Omit<SlaRow, "uptime"> & { ok: number })[]>`
    SELECT u.service_name AS service,
           count(*) FILTER (WHERE NOT m.covered)::int AS checks,
           count(*) FILTER (WHERE m.covered)::int AS excluded,
           count(*) FILTER (WHERE NOT m.covered AND u.status = 'operational')::int AS ok,
           coalesce(round(avg(u.response_time) FILTER (WHERE NOT m.covered)), 0)::int AS avg_ms
    FROM taguato.uptime_checks u CROSS JOIN LATERAL (SELECT ${inMaintenance(sql)} AS covered) m
    WHERE u.checked_at >= ${start} AND u.checked_at < ${end}
    GROUP BY u.service_name`;
  const order = ["Gateway", "Evolution API", "PostgreSQL", "Redis"];
  return rows
    .map(({ ok, ...r }) => ({ ...r, uptime: uptimePct(ok, r.checks) }))
    .sort((a, b) => (order.indexOf(a.service) + 1 || 99) - (order.indexOf(b.service) + 1 || 99));
}

/** The SLA rows as CSV (header line first), for the report's download. */
export function slaCsv(month: string, rows: SlaRow[]): string {
  const quote = (v: string) => /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  const lines = rows.map((r) =>
    [month, quote(r.service), r.uptime.toFixed(2), r.checks, r.excluded, r.avg_ms].join(",")
  );
  return ["month,service,uptime_pct,checks,excluded_maintenance_checks,avg_response_ms", ...lines].join(
    "\n",
  ) +
    "\n";
}

// ── the worker's run ──

/** Consecutive failed checks of a service that open an automatic incident (AUTO_INCIDENT_THRESHOLD). */
export const DEFAULT_AUTO_INCIDENT_THRESHOLD = 3;

async function lastStatuses(sql: Sql, name: string, n: number): Promise<CheckStatus[]> {
  const rows = await sql<{ status: CheckStatus }[]>`
    SELECT status FROM taguato.uptime_checks WHERE service_name = ${name}
    ORDER BY checked_at DESC, id DESC LIMIT ${n}`;
  return rows.map((r) => r.status);
}

async function record(sql: Sql, checks: ServiceCheck[], at: Date): Promise<void> {
  const rows = checks.map((c) => ({
    service_name: c.name,
    status: c.status,
    response_time: c.response_time,
    checked_at: at,
  }));
  await sql`INSERT INTO taguato.uptime_checks ${
    sql(rows, "service_name", "status", "response_time", "checked_at")
  }`;
  await sql`DELETE FROM taguato.uptime_checks WHERE checked_at < ${new Date(
    at.getTime() - RETENTION_DAYS * DAY_MS,
  )}`;
}

/** Opens the service's automatic incident after `threshold` failures in a row; resolves it on recovery. */
async function followIncident(
  deps: Pick<AppDeps, "sql" | "config" | "log" | "selfUrl">,
  check: ServiceCheck,
  threshold: number,
): Promise<"opened" | "resolved" | null> {
  const { sql } = deps;
  if (check.status === "operational") {
    const open = await openAutoIncident(sql, check.name);
    if (open === null) return null;
    const message = `${check.name} is operational again (resolved automatically).`;
    const added = await addIncidentUpdate(sql, open, { status: "resolved", message, createdBy: null });
    const serviceId = await serviceIdByName(sql, check.name);
    await notifySubscribers(deps, {
      kind: "incident_resolved",
      title: added?.title ?? check.name,
      detail: message,
      serviceIds: serviceId === null ? [] : [serviceId],
    });
    return "resolved";
  }
  const recent = await lastStatuses(sql, check.name, threshold);
  if (recent.length < threshold || recent.some((s) => s === "operational")) return null;
  if (await openAutoIncident(sql, check.name) !== null) return null;
  const serviceId = await serviceIdByName(sql, check.name);
  const title = `${check.name} is not responding`;
  const message = `${threshold} consecutive checks of ${check.name} failed (opened automatically).`;
  const serviceIds = serviceId === null ? [] : [serviceId];
  const opened = await createIncident(sql, {
    title,
    severity: "major",
    status: "investigating",
    message,
    serviceIds,
    createdBy: null,
    autoService: check.name,
  });
  if (!opened) return null;
  await notifySubscribers(deps, { kind: "incident_opened", title, detail: message, serviceIds });
  return "opened";
}

const PREV_KEY = (name: string) => `status:prev:${name}`;

export interface UptimeRunResult extends Record<string, unknown> {
  checks: ServiceCheck[];
  alerts: { key: string; result: AlertResult }[];
  incidents_opened: string[];
  incidents_resolved: string[];
  /** False when PostgreSQL was down: nothing could be stored (the alert still went out). */
  recorded: boolean;
}

/**
 * One uptime tick (the "uptime" worker, every 5 minutes): checks the four services, stores one sample
 * each (dropping samples past retention), alerts when a service changes between operational and down
 * (the previous state lives in the shared cache, else the last stored sample, so every replica and a
 * restarted process agree; the very first sample only seeds it), and follows automatic incidents.
 */
export async function runUptime(
  deps: Pick<AppDeps, "sql" | "cache" | "evolution" | "config" | "clock" | "log" | "selfUrl">,
  options: { retryDelayMs?: (retry: number) => number } = {},
): Promise<UptimeRunResult> {
  const checks = await runChecks(deps);
  const at = new Date(deps.clock.now());
  const previous = await Promise.all(checks.map(async (c) => {
    const cached = await deps.cache.get(PREV_KEY(c.name));
    if (cached) return cached as CheckStatus;
    return (await lastStatuses(deps.sql, c.name, 1).catch(() => []))[0] ?? null;
  }));
  let recorded = true;
  try {
    await record(deps.sql, checks, at);
  } catch (err) {
    recorded = false;
    deps.log.warn("uptime samples not stored", { error: err instanceof Error ? err.message : String(err) });
  }

  const result: UptimeRunResult = {
    checks,
    alerts: [],
    incidents_opened: [],
    incidents_resolved: [],
    recorded,
  };
  for (const [i, check] of checks.entries()) {
    await deps.cache.set(PREV_KEY(check.name), check.status);
    const before = previous[i];
    const alert = before === null || before === check.status
      ? null
      : check.status === "operational"
      ? serviceRecoveredAlert(check.name)
      : before === "operational"
      ? serviceDownAlert(check.name, check.status)
      : null;
    if (alert) result.alerts.push({ key: alert.key, result: await sendAlert(deps, alert, options) });
    if (!recorded) continue;
    const change = await followIncident(deps, check, deps.config.autoIncidentThreshold);
    if (change === "opened") result.incidents_opened.push(check.name);
    if (change === "resolved") result.incidents_resolved.push(check.name);
  }
  // The public page shows an automatic incident at once rather than after the cache's 15 s.
  if (result.incidents_opened.length || result.incidents_resolved.length) {
    await deps.cache.del(STATUS_CACHE_KEY, `${STATUS_CACHE_KEY}:90`);
  }
  return result;
}
