import { useEffect, useState } from "preact/hooks";
import * as z from "zod/mini";
import { isMessageKey, type Locale, LOCALES, t } from "../lib/core/i18n.ts";
import { Icon } from "../components/Icon.tsx";
import { DateRangeFields, FilterActions, PagedCard, pageOf, syncUrl, usePagedList } from "./paged_list.tsx";
import { DataTable } from "./data_table.tsx";
import { LocalTime } from "./local_time.tsx";
import { Alert, Button, Dialog, EmptyState, IslandRoot, SelectField, TextField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Entry = z.object({
  id: z.number(),
  user_id: z.nullable(z.number()),
  username: z.nullable(z.string()),
  action: z.string(),
  resource_type: z.nullable(z.string()),
  resource_id: z.nullable(z.string()),
  details: z.nullable(z.record(z.string(), z.unknown())),
  ip_address: z.nullable(z.string()),
  created_at: z.string(),
});
type AuditEntry = z.infer<typeof Entry>;

const AuditPage = pageOf("logs", Entry);
type AuditPage = z.infer<typeof AuditPage>;

const Filters = z.object({
  action: z.string(),
  username: z.string(),
  date_from: z.string(),
  date_to: z.string(),
});
export type AuditFilters = z.infer<typeof Filters>;

export const AuditLogProps = z.object({
  locale: z.enum(LOCALES),
  /** The action names to offer in the filter (known actions plus any seen in the log). */
  actions: z.array(z.string()),
  filters: Filters,
  initial: AuditPage,
});
type Props = z.infer<typeof AuditLogProps>;

/**
 * The API's query for a page with these filters. Dates are whole days in the reader's time zone (the
 * end day included), sent as instants so "today" means the reader's today, not UTC's.
 */
export function auditQuery(f: AuditFilters, page: number, limit: number): URLSearchParams {
  const q = new URLSearchParams({ page: String(page), limit: String(limit) });
  if (f.action.trim()) q.set("action", f.action.trim());
  if (f.username.trim()) q.set("username", f.username.trim());
  if (f.date_from) q.set("date_from", new Date(`${f.date_from}T00:00:00`).toISOString());
  if (f.date_to) q.set("date_to", new Date(`${f.date_to}T23:59:59.999`).toISOString());
  return q;
}

/** "user_created" → its label in the panel's language, or the raw name for actions it does not know. */
export function actionLabel(locale: Locale, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(locale, key) : action;
}

const TONE: Record<string, string> = {
  user_deleted: "badge-danger",
  user_login_failed: "badge-danger",
  login_failed: "badge-danger",
  "2fa_disabled": "badge-warn",
  "2fa_reset": "badge-warn",
  api_key_revoked: "badge-warn",
  user_created: "badge-ok",
  api_key_created: "badge-ok",
  "2fa_enabled": "badge-ok",
};

const resource = (e: AuditEntry) =>
  e.resource_type ? `${e.resource_type}${e.resource_id ? ` #${e.resource_id}` : ""}` : "—";

/** One line of details for the table; the dialog shows all of it. */
const summary = (details: AuditEntry["details"]) =>
  details && Object.keys(details).length
    ? Object.entries(details).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(
      " · ",
    )
    : "";

/** Admin → Audit: filter by action, user and dates, page through, open one entry in full. */
export function AuditLog({ locale, actions, filters: initialFilters, initial }: Props) {
  const tr = translator(locale);
  const list = usePagedList({
    locale,
    initial,
    filters: initialFilters,
    url: (f, page, limit) => `/admin/audit?${auditQuery(f, page, limit)}`,
    onLoad: (res, f) => syncUrl(f, res.page),
  });
  const { data, filters } = list;
  const [detail, setDetail] = useState<AuditEntry | null>(null);
  const one = useApi(locale);

  // The server read date filters as UTC days (it cannot know the reader's zone): reload in local time.
  useEffect(() => {
    if (initialFilters.date_from || initialFilters.date_to) list.load(initial.page, initialFilters);
  }, []);

  const open = async (entry: AuditEntry) => {
    setDetail(entry);
    const res = await one.run(() => api<{ log: AuditEntry }>(`/admin/audit/${entry.id}`));
    if (res) setDetail(res.log);
  };

  const filtered = list.filtered;

  return (
    <IslandRoot class="stack" root="audit-log">
      <form
        class="card filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          list.load(1, filters);
        }}
        aria-label={tr("audit.filters")}
      >
        <SelectField
          label={tr("audit.action")}
          {...list.field("action")}
          options={[
            ["", tr("audit.allActions")],
            ...actions.map((a) => [a, actionLabel(locale, a)] as const),
          ]}
        />
        <TextField label={tr("audit.username")} autocomplete="off" {...list.field("username")} />
        <DateRangeFields labels={[tr("audit.from"), tr("audit.to")]} list={list} />
        <FilterActions
          labels={[tr("audit.apply"), tr("audit.clear")]}
          list={list}
          onClear={() => list.clear({ action: "", username: "", date_from: "", date_to: "" })}
        />
      </form>
      {list.error && <Alert tone="error">{list.error}</Alert>}

      <PagedCard
        locale={locale}
        list={list}
        label={tr("audit.title")}
      >
        <DataTable
          locale={locale}
          name="audit"
          class="table table-hover"
          rows={data.logs.length}
          empty={
            <EmptyState
              icon="list"
              title={tr(filtered ? "audit.noMatch" : "audit.empty")}
              text={filtered ? tr("audit.noMatchHint") : undefined}
            />
          }
          columns={[
            tr("audit.date"),
            tr("audit.username"),
            tr("audit.action"),
            tr("audit.resource"),
            "IP",
            tr("audit.details"),
          ]}
        >
          {data.logs.map((e) => (
            <tr key={e.id} data-audit-id={e.id}>
              <td class="nowrap">
                <LocalTime iso={e.created_at} locale={locale} />
              </td>
              <td>{e.username ?? <span class="muted">{tr("audit.system")}</span>}</td>
              <td>
                <span class={`badge ${TONE[e.action] ?? "badge-neutral"}`} title={e.action}>
                  {actionLabel(locale, e.action)}
                </span>
              </td>
              <td>
                <code>{resource(e)}</code>
              </td>
              <td>
                <code>{e.ip_address ?? "—"}</code>
              </td>
              <td class="cell-truncate" title={summary(e.details)}>{summary(e.details) || "—"}</td>
              <td class="col-actions">
                <button
                  type="button"
                  class="icon-button icon-button-plain"
                  title={tr("audit.view")}
                  aria-label={tr("audit.viewEntry", { id: e.id })}
                  onClick={() => open(e)}
                >
                  <Icon name="eye" />
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      </PagedCard>

      {detail && (
        <Dialog
          locale={locale}
          wide
          title={tr("audit.entry", { id: detail.id })}
          onClose={() => setDetail(null)}
        >
          {one.error && <Alert tone="error">{one.error}</Alert>}
          <dl class="detail-list" data-audit-detail={detail.id}>
            <dt>{tr("audit.date")}</dt>
            <dd>
              <LocalTime iso={detail.created_at} locale={locale} />
            </dd>
            <dt>{tr("audit.action")}</dt>
            <dd>
              {actionLabel(locale, detail.action)} <code class="muted">{detail.action}</code>
            </dd>
            <dt>{tr("audit.username")}</dt>
            <dd>
              {detail.username ?? tr("audit.system")}
              {detail.user_id !== null && <span class="muted">#{detail.user_id}</span>}
            </dd>
            <dt>{tr("audit.resource")}</dt>
            <dd>
              <code>{resource(detail)}</code>
            </dd>
            <dt>IP</dt>
            <dd>
              <code>{detail.ip_address ?? "—"}</code>
            </dd>
          </dl>
          <h3 class="subheading">{tr("audit.details")}</h3>
          <pre class="code-block">{detail.details ? JSON.stringify(detail.details, null, 2) : "—"}</pre>
          <div class="form-actions">
            <Button onClick={() => setDetail(null)}>{tr("ui.close")}</Button>
          </div>
        </Dialog>
      )}
    </IslandRoot>
  );
}
