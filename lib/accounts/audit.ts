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
