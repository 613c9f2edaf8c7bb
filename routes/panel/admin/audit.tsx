import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import type { AuditFilters } from "../../../islands/AuditLog.tsx";
import { onePage, type Sql, t } from "../../../lib/core/mod.ts";
import { auditActionNames, listAudit, parseDay } from "../../../lib/accounts/mod.ts";
import { definePage } from "../_layout.tsx";
import { asJson, pageQuery } from "../_data.ts";

const LIMIT = 50;

/**
 * One page of the log: the query GET /admin/audit runs, with the panel's filters. A bare day is read as
 * UTC (the island reloads in the reader's own zone; the server cannot know it).
 */
async function auditPage(sql: Sql, f: AuditFilters, page: number) {
  const filters = {
    action: f.action || undefined,
    username: f.username || undefined,
    from: f.date_from ? parseDay(f.date_from) : null,
    to: f.date_to ? parseDay(f.date_to, true) : null,
  };
  return asJson(await onePage({ page, limit: LIMIT }, (window) => listAudit(sql, filters, window)));
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
      return parseDay(v) ? v : "";
    };
    const filters: AuditFilters = {
      action: q("action", 50),
      username: q("username", 100),
      date_from: date("date_from"),
      date_to: date("date_to"),
    };
    const [initial, actions] = await Promise.all([
      auditPage(deps.sql, filters, page),
      auditActionNames(deps.sql),
    ]);
    return (
      <>
        <PageHead title={t(l, "audit.title")} lead={t(l, "audit.intro")} />
        <Island name="AuditLog" props={{ locale: l, actions, filters, initial }} />
      </>
    );
  },
});
