import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import type { AuditFilters } from "../../../islands/AuditLog.tsx";
import { type Sql, t } from "../../../lib/core/mod.ts";
import { definePage } from "../_layout.tsx";
import { asJson, pageQuery } from "../_data.ts";

const LIMIT = 50;

/** Actions offered in the filter even before they first happen. */
const KNOWN_ACTIONS = [
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

interface AuditRow {
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

/** The known actions plus every action present in the log (a loose index scan: one probe per action). */
async function actionNames(sql: Sql): Promise<string[]> {
  const rows = await sql<{ action: string }[]>`
    WITH RECURSIVE a AS (
      (SELECT action FROM taguato.audit_log ORDER BY action LIMIT 1)
      UNION ALL
      SELECT (SELECT action FROM taguato.audit_log WHERE action > a.action ORDER BY action LIMIT 1)
      FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL LIMIT 200`;
  return [...new Set([...KNOWN_ACTIONS, ...rows.map((r) => r.action)])].sort();
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A YYYY-MM-DD filter as a UTC instant (the end of the day for an upper bound), or null when it is not
 * a real date. The island reloads in the reader's own zone; the server cannot know it.
 */
function dayBound(value: string, end: boolean): Date | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== value) return null;
  return new Date(end ? ms + DAY_MS - 1 : ms);
}

/** One page of the log with the same filters and order as GET /admin/audit. */
async function auditPage(sql: Sql, f: AuditFilters, page: number) {
  const from = f.date_from ? dayBound(f.date_from, false) : null;
  const to = f.date_to ? dayBound(f.date_to, true) : null;
  const conds = [
    f.action ? sql`action = ${f.action}` : null,
    f.username ? sql`username = ${f.username}` : null,
    from ? sql`created_at >= ${from}` : null,
    to ? sql`created_at <= ${to}` : null,
  ].filter((x) => x !== null);
  const where = conds.length ? sql`WHERE ${conds.reduce((a, b) => sql`${a} AND ${b}`)}` : sql``;
  const [{ total }] = await sql<
    { total: number }[]
  >`SELECT count(*)::int AS total FROM taguato.audit_log ${where}`;
  const logs = await sql<AuditRow[]>`
    SELECT id, user_id, username, action, resource_type, resource_id, details, ip_address, created_at
    FROM taguato.audit_log ${where}
    ORDER BY created_at DESC, id DESC LIMIT ${LIMIT} OFFSET ${(page - 1) * LIMIT}`;
  return asJson({ logs, total, page, limit: LIMIT, pages: Math.ceil(total / LIMIT) });
}

/** `/panel/admin/audit`: the audit log with filters from the query string, first page rendered here. */
export const auditLogPage = definePage({
  path: "/admin/audit",
  access: "admin",
  title: "audit.title",
  nav: { label: "nav.audit", icon: "list", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const { page } = pageQuery(c);
    const q = (name: string, max: number) => (c.req.query(name) ?? "").trim().slice(0, max);
    const date = (name: string) => {
      const v = q(name, 10);
      return dayBound(v, false) ? v : "";
    };
    const filters: AuditFilters = {
      action: q("action", 50),
      username: q("username", 100),
      date_from: date("date_from"),
      date_to: date("date_to"),
    };
    const [initial, actions] = await Promise.all([auditPage(deps.sql, filters, page), actionNames(deps.sql)]);
    return (
      <>
        <PageHead title={t(l, "audit.title")} lead={t(l, "audit.intro")} />
        <Island name="AuditLog" props={{ locale: l, actions, filters, initial }} />
      </>
    );
  },
});
