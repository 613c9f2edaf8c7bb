import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";

export interface AuditEntry {
  userId: number | null;
  username: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | number | null;
  /** Never a password, token, code or secret: callers pass only descriptive fields. */
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

const SECRET_KEY = /pass|token|secret|code|key|hash|otp/i;

/** Removes any field whose name looks like a credential, at any depth (defence in depth for audit rows). */
export function redact(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (SECRET_KEY.test(k)) continue;
    out[k] = v && typeof v === "object" && !Array.isArray(v) ? redact(v as Record<string, unknown>) : v;
  }
  return out;
}

/** Appends one row to `taguato.audit_log`; works inside a transaction when given `tx`. */
export async function audit(sql: Sql | postgres.TransactionSql, e: AuditEntry): Promise<void> {
  const details = e.details ? redact(e.details) : null;
  await sql`
    INSERT INTO taguato.audit_log (user_id, username, action, resource_type, resource_id, details, ip_address)
    VALUES (${e.userId}, ${e.username}, ${e.action}, ${e.resourceType ?? null},
            ${e.resourceId === undefined || e.resourceId === null ? null : String(e.resourceId)},
            ${details === null ? null : sql.json(details as never)}, ${e.ip ?? null})`;
}

/** Writes an audit row for `actor` (the request's user, or null when nobody is known) from address `ip`. */
export function auditAs(
  sql: Sql | postgres.TransactionSql,
  actor: { id: number; username: string } | null | undefined,
  ip: string,
  entry: Omit<AuditEntry, "userId" | "username" | "ip">,
): Promise<void> {
  return audit(sql, { ...entry, userId: actor?.id ?? null, username: actor?.username ?? null, ip });
}

export interface AuditRow {
  id: number;
  user_id: number | null;
  username: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  details: Record<string, unknown> | null;
  ip_address: string | null;
  created_at: Date;
}

/** Exact-match filters of the audit list, combined with AND; dates are inclusive bounds. */
export interface AuditFilter {
  action?: string;
  username?: string;
  userId?: number;
  resourceType?: string;
  resourceId?: string;
  from?: Date | null;
  to?: Date | null;
}

const auditColumns = (sql: Sql) =>
  sql`id, user_id, username, action, resource_type, resource_id, details, ip_address, created_at`;

/** One page of the audit log, newest first (GET /admin/audit and /panel/admin/audit). */
export async function listAudit(
  sql: Sql,
  f: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ logs: AuditRow[]; total: number }> {
  const conds = [
    f.action ? sql`action = ${f.action}` : null,
    f.username ? sql`username = ${f.username}` : null,
    f.userId !== undefined ? sql`user_id = ${f.userId}` : null,
    f.resourceType ? sql`resource_type = ${f.resourceType}` : null,
    f.resourceId ? sql`resource_id = ${f.resourceId}` : null,
    f.from ? sql`created_at >= ${f.from}` : null,
    f.to ? sql`created_at <= ${f.to}` : null,
  ].filter((x) => x !== null);
  const where = conds.length ? sql`WHERE ${conds.reduce((a, b) => sql`${a} AND ${b}`)}` : sql``;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.audit_log ${where}`;
  const logs = await sql<AuditRow[]>`
    SELECT ${auditColumns(sql)} FROM taguato.audit_log ${where}
    ORDER BY created_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`;
  return { logs, total };
}

/** One audit entry, or null. */
export async function findAuditEntry(sql: Sql, id: number): Promise<AuditRow | null> {
  const [row] = await sql<AuditRow[]>`SELECT ${auditColumns(sql)} FROM taguato.audit_log WHERE id = ${id}`;
  return row ?? null;
}

/** Actions offered in the panel's filter even before they first happen. */
export const KNOWN_AUDIT_ACTIONS = [
  "user_login",
  "login_failed",
  "account_locked",
  "user_logout",
  "user_logout_all",
  "session_revoked",
  "password_changed",
  "password_reset_requested",
  "password_reset_completed",
  "admin_password_reset",
  "2fa_enabled",
  "2fa_disabled",
  "2fa_reset_by_admin",
  "2fa_recovery_code_used",
  "user_created",
  "user_updated",
  "user_deleted",
  "api_key_created",
  "api_key_revoked",
];

/** The known actions plus every action present in the log (a loose index scan: one probe per action). */
export async function auditActionNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ action: string }[]>`
    WITH RECURSIVE a AS (
      (SELECT action FROM taguato.audit_log ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT action FROM taguato.audit_log WHERE action > a.action ORDER BY action LIMIT 1)
      FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL LIMIT 200`;
  return [...new Set([...KNOWN_AUDIT_ACTIONS, ...rows.map((r) => r.action)])].sort();
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const DAY_MS = 86_400_000;

/**
 * An ISO 8601 date or date-time as an instant; zone-less values are UTC. A bare date as an upper bound
 * means "through the end of that day". Null for anything else (including impossible dates like 02-30).
 */
export function parseIsoInstant(value: string, upperBound = false): Date | null {
  const d = DATE_ONLY.exec(value);
  if (d) {
    const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
    if (new Date(ms).toISOString().slice(0, 10) !== value) return null;
    return new Date(upperBound ? ms + DAY_MS - 1 : ms);
  }
  if (!DATE_TIME.test(value)) return null;
  const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.slice(10));
  const ms = Date.parse(value.replace(" ", "T") + (hasZone ? "" : "Z"));
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A bare YYYY-MM-DD day (the panel's filter) as parseIsoInstant reads it, or null. */
export const parseDay = (value: string, upperBound = false): Date | null =>
  DATE_ONLY.test(value) ? parseIsoInstant(value, upperBound) : null;
